package main

// Bench mode: QueryData timings through the same go-plugin/gRPC client Grafana uses, for
// scripts/bench-backend.ts (npm run bench -- --only backend). Every answer is decoded by the SDK
// (backend.FromProto().QueryDataResponse, i.e. data.UnmarshalArrowFrames) inside the timing, and
// an answer with an error fails the bench.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

const benchUsage = `Usage: go run . bench [--exe PATH] --settings FILE --plan FILE [--verbose]

Launches the SimViz backend plugin as Grafana does, waits until the datasource of FILE (one
datasource, as in serve mode) has scanned its folder (resource GET api/v1/ready answers 200), lists
its simulations (GET api/v1/simulations), then runs the plan's steps through QueryData and prints
one JSON line with the timings and the plugin process's memory (VmHWM, VmRSS of /proc/PID/status).

The plan is {"readyTimeoutMs": 120000, "steps": [{"label": "first", "queries": [MODEL, ...],
"repeat": 1, "cycle": false, "waitForGlob": "", "waitForCount": 1, "waitTimeoutMs": 120000, "settleMs": 0}, ...]} where MODEL is a
query model as the frontend saves it (refId, queryType, simulations, variables, ...). The string
"$simulation" in a model's "simulations" stands for every simulation the datasource lists, and
"$simulation:PATH" for the one at PATH (relative to its data root). Each
step runs "repeat" times: one QueryData with all its queries, or with "cycle" one query at a time,
queries[i % len(queries)] in round i. With "waitForGlob", the step first waits (untimed, but
reported) until "waitForCount" files (default 1) match the glob, e.g. the per-variable layout a
first read starts building, then pauses "settleMs"; with "waitIdleMs" it then waits, at most that long, until the plugin's
CPU use drops below 5 % of a CPU over 250 ms.
`

// BenchPlan is the plan file.
type BenchPlan struct {
	ReadyTimeoutMs int         `json:"readyTimeoutMs"`
	Steps          []BenchStep `json:"steps"`
}

// BenchStep is one timed step of the plan.
type BenchStep struct {
	Label       string           `json:"label"`
	Queries     []map[string]any `json:"queries"`
	Repeat      int              `json:"repeat"`
	Cycle       bool             `json:"cycle"`
	WaitForGlob string           `json:"waitForGlob"`
	// WaitForCount is how many files must match WaitForGlob (default 1).
	WaitForCount  int `json:"waitForCount"`
	WaitTimeoutMs int `json:"waitTimeoutMs"`
	// SettleMs is a pause after WaitForGlob matched (work that follows the file, e.g. loading its summaries).
	SettleMs int `json:"settleMs"`
	// WaitIdleMs, after the pause, waits (at most this long) until the plugin is idle: below
	// idleCPUShare of one CPU over an idleWindow, so that background work a first read started
	// (a layout's build, its summaries loading) is over before the timed rounds.
	WaitIdleMs int `json:"waitIdleMs"`
}

// BenchStepResult is what one step measured, per round.
type BenchStepResult struct {
	Label string `json:"label"`
	// Ms is each round's QueryData round trip: request conversion, gRPC, and the SDK decoding the frames.
	Ms []float64 `json:"ms"`
	// GrpcMs is the part until the protobuf answer arrived (the plugin's work and the transport).
	GrpcMs []float64 `json:"grpcMs"`
	// DecodeMs is the part spent in backend.FromProto().QueryDataResponse (Arrow decoding).
	DecodeMs []float64 `json:"decodeMs"`
	// CPUMs is the CPU time the plugin's threads (all of them: JavaScript, GC, I/O) ran during the
	// round's RPC, from /proc/PID/task/*/schedstat: the plugin's own cost, unlike GrpcMs unaffected
	// by other processes waiting for or holding the machine's CPUs.
	CPUMs []float64 `json:"cpuMs"`
	// MainCPUMs is the part of CPUMs on the plugin's main thread (JavaScript runs there; the other
	// threads compile, collect garbage and do file I/O beside it).
	MainCPUMs []float64 `json:"mainCpuMs"`
	// Points is each round's number of values in all frames' value fields.
	Points []int `json:"points"`
	Frames []int `json:"frames"`
	// ArrowBytes is each round's size of the Arrow frames as they came over gRPC.
	ArrowBytes []int `json:"arrowBytes"`
	// WaitedMs is how long the step waited for WaitForGlob before its first round.
	WaitedMs float64 `json:"waitedMs,omitempty"`
	// IdleWaitMs is how long it then waited for the plugin to be idle (WaitIdleMs).
	IdleWaitMs float64 `json:"idleWaitMs,omitempty"`
	// RSS of the plugin after the step.
	VmRSSKb int64 `json:"vmRssKb"`
}

// BenchSimulation is one simulation the datasource listed.
type BenchSimulation struct {
	ID             string `json:"id"`
	Path           string `json:"path"`
	Status         string `json:"status"`
	VariableCount  int    `json:"variableCount"`
	TimePointCount int    `json:"timePointCount"`
}

// BenchResult is the JSON line bench mode prints.
type BenchResult struct {
	PID         int               `json:"pid"`
	LaunchMs    float64           `json:"launchMs"`
	ReadyMs     float64           `json:"readyMs"`
	Health      string            `json:"health"`
	Simulations []BenchSimulation `json:"simulations"`
	Steps       []BenchStepResult `json:"steps"`
	// VmRSSKbReady is the plugin's RSS once the folder was scanned, before the first query.
	VmRSSKbReady int64 `json:"vmRssKbReady"`
	VmHWMKb      int64 `json:"vmHwmKb"`
	VmRSSKb      int64 `json:"vmRssKb"`
}

func benchMain(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, benchUsage) }
	defaultExe := os.Getenv("SIMVIZ_BACKEND")
	if defaultExe == "" {
		defaultExe = DefaultBackend
	}
	exe := fs.String("exe", defaultExe, "the plugin executable")
	settingsFile := fs.String("settings", "", "datasource settings JSON file (one datasource)")
	planFile := fs.String("plan", "", "bench plan JSON file")
	verbose := fs.Bool("verbose", false, "copy the plugin's log to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *settingsFile == "" || *planFile == "" {
		return fmt.Errorf("--settings and --plan are required")
	}
	raw, err := os.ReadFile(*settingsFile)
	if err != nil {
		return err
	}
	list, err := LoadSettings(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", *settingsFile, err)
	}
	if len(list) != 1 {
		return fmt.Errorf("%s: bench mode takes one datasource, not %d", *settingsFile, len(list))
	}
	planRaw, err := os.ReadFile(*planFile)
	if err != nil {
		return err
	}
	var plan BenchPlan
	if err := json.Unmarshal(planRaw, &plan); err != nil {
		return fmt.Errorf("%s: %w", *planFile, err)
	}
	if len(plan.Steps) == 0 {
		return fmt.Errorf("%s: the plan has no steps", *planFile)
	}
	var tee io.Writer
	if *verbose {
		tee = os.Stderr
	}
	result, err := RunBench(Options{Exe: *exe, LogTee: tee}, list[0], plan)
	if err != nil {
		return err
	}
	b, err := json.Marshal(result)
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}

// RunBench launches the plugin, waits for its folder to be scanned and runs the plan.
func RunBench(opts Options, settings Settings, plan BenchPlan) (result *BenchResult, err error) {
	started := time.Now()
	p, err := Launch(opts)
	if err != nil {
		return nil, err
	}
	defer p.Kill()
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\nplugin log (tail):\n%s", err, tail(p.Logs.String(), 6000))
		}
	}()
	p.DS = settings.Instance()
	result = &BenchResult{PID: p.PID(), LaunchMs: msSince(started)}
	if result.PID == 0 {
		return nil, errors.New("the plugin's pid is unknown")
	}

	readyTimeout := time.Duration(plan.ReadyTimeoutMs) * time.Millisecond
	if readyTimeout <= 0 {
		readyTimeout = 2 * time.Minute
	}
	readyStarted := time.Now()
	if err := waitReady(p, readyTimeout); err != nil {
		return nil, err
	}
	result.ReadyMs = msSince(readyStarted)
	health, err := p.Health(context.Background())
	if err != nil {
		return nil, fmt.Errorf("CheckHealth: %w", err)
	}
	if health.Status != backend.HealthStatusOk {
		return nil, fmt.Errorf("CheckHealth: %s: %s", health.Status, health.Message)
	}
	result.Health = health.Message
	sims, err := benchSimulations(p)
	if err != nil {
		return nil, err
	}
	if len(sims) == 0 {
		return nil, errors.New("the datasource lists no simulations")
	}
	result.Simulations = sims
	for _, s := range sims {
		if s.Status != "ok" {
			return nil, fmt.Errorf("simulation %s (%s) has status %q", s.ID, s.Path, s.Status)
		}
	}
	if result.VmRSSKbReady, _, err = procMemory(result.PID); err != nil {
		return nil, err
	}

	for _, step := range plan.Steps {
		r, err := runStep(p, step, sims, result.PID)
		if err != nil {
			return nil, fmt.Errorf("step %q: %w", step.Label, err)
		}
		result.Steps = append(result.Steps, *r)
	}
	if result.VmRSSKb, result.VmHWMKb, err = procMemory(result.PID); err != nil {
		return nil, err
	}
	return result, nil
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Nanoseconds()) / 1e6 }

// waitReady polls the resource route api/v1/ready until it answers 200 (the first scan is done).
func waitReady(p *Plugin, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		resp, err := p.Get(ctx, "api/v1/ready")
		cancel()
		switch {
		case err != nil:
			last = err.Error()
		case resp.Status == 200 && strings.Contains(string(resp.Body), `"ready"`):
			return nil
		default:
			last = fmt.Sprintf("%d %s", resp.Status, clipBytes(resp.Body))
		}
		if p.Exited() {
			return fmt.Errorf("the plugin exited while scanning its folder (last answer: %s)", last)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the datasource was not ready within %v (last answer: %s)", timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func clipBytes(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "..."
	}
	return string(b)
}

func benchSimulations(p *Plugin) ([]BenchSimulation, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := p.Get(ctx, "api/v1/simulations?limit=1000")
	if err != nil {
		return nil, fmt.Errorf("GET api/v1/simulations: %w", err)
	}
	if resp.Status != 200 {
		return nil, fmt.Errorf("GET api/v1/simulations: status %d: %s", resp.Status, clipBytes(resp.Body))
	}
	var page struct {
		Items []BenchSimulation `json:"items"`
	}
	if err := json.Unmarshal(resp.Body, &page); err != nil {
		return nil, fmt.Errorf("GET api/v1/simulations: %w", err)
	}
	return page.Items, nil
}

// withSimulations is model with "$simulation" in its simulations replaced by every listed id, and
// "$simulation:PATH" by the id of the simulation at PATH.
func withSimulations(model map[string]any, sims []BenchSimulation) map[string]any {
	out := make(map[string]any, len(model))
	for k, v := range model {
		out[k] = v
	}
	if list, ok := model["simulations"].([]any); ok {
		var ids []any
		for _, s := range list {
			name, _ := s.(string)
			switch {
			case name == "$simulation":
				for _, sim := range sims {
					ids = append(ids, sim.ID)
				}
			case strings.HasPrefix(name, "$simulation:"):
				for _, sim := range sims {
					if sim.Path == strings.TrimPrefix(name, "$simulation:") {
						ids = append(ids, sim.ID)
					}
				}
			default:
				ids = append(ids, s)
			}
		}
		out["simulations"] = ids
	}
	return out
}

func runStep(p *Plugin, step BenchStep, sims []BenchSimulation, pid int) (*BenchStepResult, error) {
	if len(step.Queries) == 0 {
		return nil, errors.New("no queries")
	}
	repeat := step.Repeat
	if repeat <= 0 {
		repeat = 1
	}
	r := &BenchStepResult{Label: step.Label}
	if step.WaitForGlob != "" {
		timeout := time.Duration(step.WaitTimeoutMs) * time.Millisecond
		if timeout <= 0 {
			timeout = 2 * time.Minute
		}
		waited, err := waitForGlob(step.WaitForGlob, max(step.WaitForCount, 1), timeout)
		if err != nil {
			return nil, err
		}
		r.WaitedMs = waited
		time.Sleep(time.Duration(step.SettleMs) * time.Millisecond)
	}
	if step.WaitIdleMs > 0 {
		idle, err := waitIdle(pid, time.Duration(step.WaitIdleMs)*time.Millisecond)
		if err != nil {
			return nil, err
		}
		r.IdleWaitMs = idle
	}
	// Queries are built before timing: what Grafana's query service hands the plugin client.
	queries := make([]Query, len(step.Queries))
	for i, model := range step.Queries {
		// The dashboard range does not matter for timeMode wholeRun; maxDataPoints comes from the model.
		queries[i] = NewQuery(withSimulations(model, sims), backend.TimeRange{From: time.UnixMilli(0).UTC(), To: time.UnixMilli(0).Add(time.Hour).UTC()})
	}
	for round := 0; round < repeat; round++ {
		sent := queries
		if step.Cycle {
			sent = queries[round%len(queries) : round%len(queries)+1]
		}
		req := p.Request(sent...)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cpu0, main0, err := procCPUNs(pid)
		if err != nil {
			cancel()
			return nil, err
		}
		t0 := time.Now()
		protoReq := backend.ToProto().QueryDataRequest(req)
		protoResp, err := p.data.QueryData(ctx, protoReq)
		t1 := time.Now()
		cancel()
		if err != nil {
			return nil, fmt.Errorf("round %d: QueryData: %w", round, err)
		}
		cpu1, main1, err := procCPUNs(pid)
		if err != nil {
			return nil, err
		}
		resp, err := backend.FromProto().QueryDataResponse(protoResp)
		t2 := time.Now()
		if err != nil {
			return nil, fmt.Errorf("round %d: decoding the answer: %w", round, err)
		}
		arrowBytes := 0
		for _, dr := range protoResp.Responses {
			for _, f := range dr.Frames {
				arrowBytes += len(f)
			}
		}
		points, frames := 0, 0
		for _, q := range sent {
			dr, ok := resp.Responses[q.RefID]
			if !ok {
				return nil, fmt.Errorf("round %d: no answer for refId %s", round, q.RefID)
			}
			if dr.Error != nil {
				return nil, fmt.Errorf("round %d: query %s failed (status %d): %v", round, q.RefID, dr.Status, dr.Error)
			}
			for _, f := range dr.Frames {
				frames++
				for i, field := range f.Fields {
					if i > 0 {
						points += field.Len()
					}
				}
			}
		}
		if points == 0 {
			return nil, fmt.Errorf("round %d: the answer has no points (%d frames)", round, frames)
		}
		r.Ms = append(r.Ms, float64(t2.Sub(t0).Nanoseconds())/1e6)
		r.GrpcMs = append(r.GrpcMs, float64(t1.Sub(t0).Nanoseconds())/1e6)
		r.DecodeMs = append(r.DecodeMs, float64(t2.Sub(t1).Nanoseconds())/1e6)
		r.CPUMs = append(r.CPUMs, float64(cpu1-cpu0)/1e6)
		r.MainCPUMs = append(r.MainCPUMs, float64(main1-main0)/1e6)
		r.Points = append(r.Points, points)
		r.Frames = append(r.Frames, frames)
		r.ArrowBytes = append(r.ArrowBytes, arrowBytes)
	}
	rss, _, err := procMemory(pid)
	if err != nil {
		return nil, err
	}
	r.VmRSSKb = rss
	return r, nil
}

// waitForGlob waits until count files match pattern; it returns the milliseconds waited.
func waitForGlob(pattern string, count int, timeout time.Duration) (float64, error) {
	started := time.Now()
	for {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return 0, fmt.Errorf("waitForGlob %q: %w", pattern, err)
		}
		if len(matches) >= count {
			return msSince(started), nil
		}
		if time.Since(started) > timeout {
			return 0, fmt.Errorf("%d of %d files matched %s within %v", len(matches), count, pattern, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const (
	idleWindow   = 250 * time.Millisecond
	idleCPUShare = 0.05
)

// waitIdle waits until the process used less than idleCPUShare of a CPU over idleWindow, or
// timeout passed (then it goes on: a plugin that never idles is measured as it is). It returns
// the milliseconds waited.
func waitIdle(pid int, timeout time.Duration) (float64, error) {
	started := time.Now()
	for time.Since(started) < timeout {
		before, _, err := procCPUNs(pid)
		if err != nil {
			return 0, err
		}
		time.Sleep(idleWindow)
		after, _, err := procCPUNs(pid)
		if err != nil {
			return 0, err
		}
		if float64(after-before) < idleCPUShare*float64(idleWindow.Nanoseconds()) {
			break
		}
	}
	return msSince(started), nil
}

// procCPUNs is the CPU time (ns) all threads of a process have run so far, and its main thread's:
// the first field of each /proc/PID/task/TID/schedstat. A thread that ends between two readings
// takes its time along.
func procCPUNs(pid int) (total, main int64, err error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return 0, 0, fmt.Errorf("reading the plugin's CPU time: no /proc/%d/task/*/schedstat", pid)
	}
	mainTask := fmt.Sprintf("/proc/%d/task/%d/schedstat", pid, pid)
	for _, task := range tasks {
		raw, err := os.ReadFile(task)
		if err != nil {
			continue // the thread ended
		}
		fields := strings.Fields(string(raw))
		if len(fields) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("reading the plugin's CPU time from %s: %w", task, err)
		}
		total += ns
		if task == mainTask {
			main = ns
		}
	}
	return total, main, nil
}

// procMemory is VmRSS and VmHWM (kB) of a process, from /proc/PID/status.
func procMemory(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("reading the plugin's memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		n, perr := strconv.ParseInt(fields[0], 10, 64)
		if perr != nil {
			continue
		}
		switch key {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	if rss == 0 || hwm == 0 {
		return 0, 0, fmt.Errorf("no VmRSS/VmHWM in /proc/%d/status", pid)
	}
	return rss, hwm, sc.Err()
}
