package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// repoRoot is /work/main, two folders up.
var repoRoot = func() string {
	abs, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return abs
}()

var proxyBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	sharedCleanup()
	if proxyBuild.dir != "" {
		_ = os.RemoveAll(proxyBuild.dir)
	}
	os.Exit(code)
}

// fixturesDir is SIMVIZ_FIXTURES or the shared real result files.
func fixturesDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SIMVIZ_FIXTURES")
	if dir == "" {
		dir = filepath.Join(repoRoot, "../shared/fixtures/real")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("no real result files at %s (SIMVIZ_FIXTURES): %v", abs, err)
	}
	return abs
}

// copyFixture copies one fixture file into dir as name, with the given modification time.
func copyFixture(t testing.TB, file, dir, name string, mtime time.Time) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixturesDir(t), file))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(dst, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return dst
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// folderSettings is a folder-mode datasource over dir (optionally "NAME=DIR"), with its own cache folder.
func folderSettings(t testing.TB, folder string) Settings {
	return Settings{
		UID:      "simviz-test",
		Name:     "SimViz",
		JSONData: mustJSON(map[string]any{"mode": "folder", "folder": folder, "cacheFolder": t.TempDir()}),
		Updated:  time.Now(),
	}
}

// proxySettings is a proxy-mode datasource.
func proxySettings(url, apiKey string, extra map[string]any) Settings {
	j := map[string]any{"mode": "proxy", "proxyUrl": url}
	for k, v := range extra {
		j[k] = v
	}
	s := Settings{UID: "simviz-proxy-test", Name: "SimViz (proxy)", JSONData: mustJSON(j), Updated: time.Now()}
	if apiKey != "" {
		s.SecureJSONData = map[string]string{"apiKey": apiKey}
	}
	return s
}

func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// ---------------------------------------------------------------------------------------------
// The SimViz proxy, for proxy mode.
// ---------------------------------------------------------------------------------------------

// proxyScript is SIMVIZ_PROXY, else build/proxy/simviz-proxy.js, else one built for this test run
// into a temporary folder with the project's own build script.
func proxyScript(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SIMVIZ_PROXY"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("SIMVIZ_PROXY %s: %v", p, err)
		}
		return p
	}
	built := filepath.Join(repoRoot, "build/proxy/simviz-proxy.js")
	if _, err := os.Stat(built); err == nil {
		return built
	}
	proxyBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "simviz-proxy-build-")
		if err != nil {
			proxyBuild.err = err
			return
		}
		proxyBuild.dir = dir
		script := filepath.Join(dir, "build.ts")
		src := fmt.Sprintf("import { buildProxy } from %q;\nbuildProxy(process.argv[2]).then(() => undefined, (e) => { console.error(e); process.exit(1); });\n",
			filepath.Join(repoRoot, "scripts/build-proxy"))
		if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
			proxyBuild.err = err
			return
		}
		out := filepath.Join(dir, "simviz-proxy.js")
		cmd := exec.Command(filepath.Join(repoRoot, "node_modules/.bin/tsx"), script, out)
		cmd.Dir = repoRoot
		if b, err := cmd.CombinedOutput(); err != nil {
			proxyBuild.err = fmt.Errorf("building the proxy (scripts/build-proxy.ts): %v\n%s", err, b)
			return
		}
		proxyBuild.path = out
	})
	if proxyBuild.err != nil {
		t.Fatalf("no proxy bundle at %s and building one failed: %v", built, proxyBuild.err)
	}
	return proxyBuild.path
}

type runningProxy struct {
	URL    string
	Key    string
	Root   string
	cmd    *exec.Cmd
	stderr *strings.Builder
}

// Stop ends the proxy (SIGTERM, then SIGKILL after 10 s).
func (p *runningProxy) Stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// launchProxy runs the SimViz proxy over root (a "NAME=DIR" data root) on a free loopback port and
// waits until it has scanned its files.
func launchProxy(script, root, apiKey, cacheDir string) (*runningProxy, error) {
	args := []string{script, "--data", root, "--port", "0", "--host", "127.0.0.1", "--watch", "off",
		"--cache-dir", cacheDir, "--log-level", "info"}
	if apiKey != "" {
		args = append(args, "--api-key", apiKey)
	}
	cmd := exec.Command("node", args...)
	// The proxy reads SIMVIZ_* settings from its environment: give it none of ours.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SIMVIZ_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &runningProxy{Key: apiKey, Root: root, cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = &lockedWriter{w: p.stderr}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the proxy: %w", err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil {
				if u, ok := line["url"].(string); ok && !sent {
					urls <- u
					sent = true
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p.URL = <-urls:
	case <-time.After(60 * time.Second):
		p.Stop()
		return nil, fmt.Errorf("the proxy did not log its url within 60 s; stderr:\n%s", p.stderr.String())
	}
	p.URL = strings.TrimRight(p.URL, "/")
	// Ready once the first scan has finished.
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequest("GET", p.URL+"/api/v1/ready", nil)
		if apiKey != "" {
			req.Header.Set("Authorization", "Bearer "+apiKey)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(b), "ready") {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("the proxy at %s was not ready within 60 s (last: %v); stderr:\n%s", p.URL, err, p.stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// startProxy is a proxy of the test's own, stopped when the test ends.
func startProxy(t testing.TB, root, apiKey string) *runningProxy {
	t.Helper()
	p, err := launchProxy(proxyScript(t), root, apiKey, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// sharedKey is the API key of the shared proxy.
const sharedKey = "simviz-test-key-7f3a"

var shared struct {
	once  sync.Once
	dir   string
	root  string
	proxy *runningProxy
	err   error
}

// sharedFixtures is the fixtures folder for the whole test run, seen through a link named
// "fixtures" (so that folder and proxy mode name the data root alike and give the same ids).
func sharedFixtures(t testing.TB) string {
	t.Helper()
	sharedInit(t, false)
	return shared.root
}

// sharedProxy is one proxy over sharedFixtures for the whole test run, with sharedKey.
func sharedProxy(t testing.TB) *runningProxy {
	t.Helper()
	sharedInit(t, true)
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.proxy
}

var sharedMu sync.Mutex

func sharedInit(t testing.TB, withProxy bool) {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared.dir == "" {
		dir, err := os.MkdirTemp("", "simviz-grafana-host-")
		if err != nil {
			t.Fatal(err)
		}
		shared.dir = dir
		// The data root is a link to the fixtures folder: SimViz follows no link that leaves its
		// root, and a linked root keeps the name "fixtures" in both modes.
		links := filepath.Join(dir, "fixtures")
		if err := os.Symlink(fixturesDir(t), links); err != nil {
			t.Fatal(err)
		}
		shared.root = links
	}
	if withProxy && shared.proxy == nil && shared.err == nil {
		script := proxyScript(t)
		cache := filepath.Join(shared.dir, "proxy-cache")
		shared.proxy, shared.err = launchProxy(script, shared.root, sharedKey, cache)
	}
}

func sharedCleanup() {
	if shared.proxy != nil {
		shared.proxy.Stop()
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
}

// closedPort is a loopback address nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// ---------------------------------------------------------------------------------------------
// The REST API through CallResource: the reference the frames are checked against.
// ---------------------------------------------------------------------------------------------

type Simulation struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Path           string   `json:"path"`
	Root           string   `json:"root"`
	Format         string   `json:"format"`
	Status         string   `json:"status"`
	VariableCount  int      `json:"variableCount"`
	TimePointCount int      `json:"timePointCount"`
	StartTime      *float64 `json:"startTime"`
	StopTime       *float64 `json:"stopTime"`
	ModifiedAt     string   `json:"modifiedAt"`
	Model          *string  `json:"model"`
	Tags           []string `json:"tags"`
}

type Variable struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Unit        *string  `json:"unit"`
	DisplayUnit *string  `json:"displayUnit"`
	Kind        string   `json:"kind"`
	ValueType   *string  `json:"valueType"`
	Value       *float64 `json:"value"`
}

type Series struct {
	Simulation     string     `json:"simulation"`
	Variable       string     `json:"variable"`
	SimulationName string     `json:"simulationName"`
	ResolvedName   string     `json:"resolvedName"`
	Unit           *string    `json:"unit"`
	Description    string     `json:"description"`
	Kind           string     `json:"kind"`
	Time           []float64  `json:"time"`
	Values         []*float64 `json:"values"`
	PointsInRange  int        `json:"pointsInRange"`
	Downsampled    bool       `json:"downsampled"`
	Error          *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type Health struct {
	Status      string `json:"status"`
	Version     string `json:"version"`
	Simulations int    `json:"simulations"`
	API         *int   `json:"api"`
}

// rest GETs (body nil) or POSTs a resource and decodes its JSON answer, failing on another status than want.
func rest(t testing.TB, p *Plugin, method, path string, body any, want int, out any) *ResourceResponse {
	t.Helper()
	ctx := ctxTimeout(t, 60*time.Second)
	var resp *ResourceResponse
	var err error
	if method == "GET" {
		resp, err = p.Get(ctx, path)
	} else {
		resp, err = p.Post(ctx, path, body)
	}
	if err != nil {
		t.Fatalf("CallResource %s %s: %v", method, path, err)
	}
	if resp.Status != want {
		t.Fatalf("CallResource %s %s: status %d, want %d; body %s", method, path, resp.Status, want, clip(resp.Body))
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			t.Fatalf("CallResource %s %s: body is not the expected JSON (%v): %s", method, path, err, clip(resp.Body))
		}
	}
	return resp
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

func listSimulations(t testing.TB, p *Plugin) []Simulation {
	t.Helper()
	var page struct {
		Items []Simulation `json:"items"`
		Total int          `json:"total"`
	}
	rest(t, p, "GET", "api/v1/simulations?limit=1000", nil, 200, &page)
	if page.Total != len(page.Items) {
		t.Fatalf("simulations: total %d but %d items", page.Total, len(page.Items))
	}
	return page.Items
}

func trajectories(t testing.TB, p *Plugin, id string, n int) []Variable {
	t.Helper()
	var page struct {
		Items []Variable `json:"items"`
	}
	rest(t, p, "GET", "api/v1/simulations/"+id+"/variables?kind=trajectory&limit=50", nil, 200, &page)
	var out []Variable
	for _, v := range page.Items {
		if v.Kind == "trajectory" && !strings.EqualFold(v.Name, "time") {
			out = append(out, v)
		}
		if len(out) == n {
			break
		}
	}
	if len(out) == 0 {
		t.Fatalf("simulation %s has no trajectory variables", id)
	}
	return out
}

// restQuery is POST api/v1/query.
func restQuery(t testing.TB, p *Plugin, body map[string]any) []Series {
	t.Helper()
	var resp struct {
		Series []Series `json:"series"`
	}
	rest(t, p, "POST", "api/v1/query", body, 200, &resp)
	return resp.Series
}

// pick chooses the real runs the checks use: OK .mat files from two different tools when possible
// (Dymola and OpenModelica), and a CSV.
func pick(t testing.TB, sims []Simulation) (mats []Simulation, csv *Simulation) {
	t.Helper()
	byPath := map[string]Simulation{}
	var okMats []Simulation
	for _, s := range sims {
		if s.Status != "ok" {
			continue
		}
		byPath[s.Path] = s
		if strings.HasSuffix(strings.ToLower(s.Path), ".mat") && s.StartTime != nil && s.StopTime != nil && s.TimePointCount > 1 {
			okMats = append(okMats, s)
		}
		if strings.HasSuffix(strings.ToLower(s.Path), ".csv") && csv == nil && s.StopTime != nil {
			c := s
			csv = &c
		}
	}
	for _, want := range []string{"dymola_chuacircuit.mat", "om119_bouncingball.mat", "dymola_threetanks.mat"} {
		if s, ok := byPath[want]; ok {
			mats = append(mats, s)
		}
	}
	sort.Slice(okMats, func(i, j int) bool { return okMats[i].Path < okMats[j].Path })
	for _, s := range okMats {
		if len(mats) >= 3 {
			break
		}
		dup := false
		for _, m := range mats {
			dup = dup || m.ID == s.ID
		}
		if !dup {
			mats = append(mats, s)
		}
	}
	if len(mats) < 2 {
		t.Fatalf("need at least two readable .mat fixtures, found %d of %d simulations", len(mats), len(sims))
	}
	return mats, csv
}

// ---------------------------------------------------------------------------------------------
// Frames.
// ---------------------------------------------------------------------------------------------

func epochMs(seconds float64, up bool) time.Time {
	ms := seconds * 1000
	if up {
		ms = math.Ceil(ms)
	} else {
		ms = math.Floor(ms)
	}
	return time.UnixMilli(int64(ms)).UTC()
}

// runRange is the dashboard range that covers a whole run on the simulation time axis.
func runRange(s Simulation) backend.TimeRange {
	return backend.TimeRange{From: epochMs(*s.StartTime, false), To: epochMs(*s.StopTime, true)}
}

func tsModel(refID string, sims []string, vars []string, extra map[string]any) map[string]any {
	m := map[string]any{"refId": refID, "queryType": "timeseries", "simulations": sims, "variables": vars,
		"datasource": map[string]any{"type": PluginType, "uid": "simviz-test"}}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// mustResponse runs queries and returns each one's response, failing when QueryData itself fails.
func mustResponse(t testing.TB, p *Plugin, queries ...Query) backend.Responses {
	t.Helper()
	resp, err := p.Query(ctxTimeout(t, 120*time.Second), queries...)
	if err != nil {
		t.Fatalf("QueryData: %v", err)
	}
	for _, q := range queries {
		if _, ok := resp.Responses[q.RefID]; !ok {
			t.Fatalf("QueryData answered no response for refId %s (got %v)", q.RefID, keys(resp.Responses))
		}
	}
	return resp.Responses
}

func mustOK(t testing.TB, p *Plugin, q Query) data.Frames {
	t.Helper()
	dr := mustResponse(t, p, q)[q.RefID]
	if dr.Error != nil {
		t.Fatalf("query %s: unexpected error: %v", q.JSON, dr.Error)
	}
	return dr.Frames
}

func keys(r backend.Responses) []string {
	var out []string
	for k := range r {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// timeAt is row i of a time field (time.Time or *time.Time).
func timeAt(t testing.TB, f *data.Field, i int) (time.Time, bool) {
	switch v := f.At(i).(type) {
	case time.Time:
		return v, true
	case *time.Time:
		if v == nil {
			return time.Time{}, false
		}
		return *v, true
	}
	t.Fatalf("field %q row %d is %T, not a time", f.Name, i, f.At(i))
	return time.Time{}, false
}

// floatAt is row i of a float64 or *float64 field.
func floatAt(t testing.TB, f *data.Field, i int) (float64, bool) {
	switch v := f.At(i).(type) {
	case float64:
		return v, true
	case *float64:
		if v == nil {
			return 0, false
		}
		return *v, true
	}
	t.Fatalf("field %q row %d is %T, not a float64", f.Name, i, f.At(i))
	return 0, false
}

// checkSeriesFrame checks a time series frame against the REST series it should carry: Time then
// values, equal point by point (time to the nanosecond Grafana stores, values exactly).
func checkSeriesFrame(t testing.TB, f *data.Frame, s Series) {
	t.Helper()
	if len(f.Fields) != 2 {
		t.Fatalf("frame %q: %d fields, want 2 (Time, values)", f.Name, len(f.Fields))
	}
	tf, vf := f.Fields[0], f.Fields[1]
	if tf.Name != "Time" {
		t.Errorf("frame %q: field 0 is named %q, want Time", f.Name, tf.Name)
	}
	if tt := tf.Type(); tt != data.FieldTypeTime && tt != data.FieldTypeNullableTime {
		t.Fatalf("frame %q: field 0 has type %s, want time.Time", f.Name, tt)
	}
	if vt := vf.Type(); vt != data.FieldTypeFloat64 && vt != data.FieldTypeNullableFloat64 {
		t.Fatalf("frame %q: field 1 has type %s, want []float64 or []*float64", f.Name, vt)
	}
	if tf.Len() != len(s.Time) || vf.Len() != len(s.Values) {
		t.Fatalf("frame %q: %d times and %d values, REST has %d and %d", f.Name, tf.Len(), vf.Len(), len(s.Time), len(s.Values))
	}
	for i := range s.Time {
		got, ok := timeAt(t, tf, i)
		if !ok {
			t.Fatalf("frame %q: time %d is null", f.Name, i)
		}
		want := s.Time[i] * 1e9
		if d := math.Abs(float64(got.UnixNano()) - want); d > 1000 {
			t.Fatalf("frame %q: time %d is %v (%d ns), REST says %v s", f.Name, i, got, got.UnixNano(), s.Time[i])
		}
		v, ok := floatAt(t, vf, i)
		switch {
		case s.Values[i] == nil && ok && !math.IsNaN(v):
			t.Fatalf("frame %q: value %d is %v, REST says null", f.Name, i, v)
		case s.Values[i] != nil && !ok:
			t.Fatalf("frame %q: value %d is null, REST says %v", f.Name, i, *s.Values[i])
		case s.Values[i] != nil && v != *s.Values[i]:
			t.Fatalf("frame %q: value %d is %v, REST says %v", f.Name, i, v, *s.Values[i])
		}
	}
	if got := vf.Labels["simulation"]; got != s.SimulationName {
		t.Errorf("frame %q: label simulation = %q, want %q", f.Name, got, s.SimulationName)
	}
	if got := vf.Labels["variable"]; got != s.ResolvedName {
		t.Errorf("frame %q: label variable = %q, want %q", f.Name, got, s.ResolvedName)
	}
	if vf.Config == nil || vf.Config.DisplayNameFromDS == "" {
		t.Errorf("frame %q: field %q has no config.displayNameFromDS", f.Name, vf.Name)
	}
	if s.Unit != nil && *s.Unit != "" && (vf.Config == nil || vf.Config.Unit == "") {
		t.Errorf("frame %q: variable has unit %q but the field has no config.unit", f.Name, *s.Unit)
	}
}

// frameFor finds the frame whose value field is labelled with the series' run and variable.
func frameFor(t testing.TB, frames data.Frames, s Series) *data.Frame {
	t.Helper()
	for _, f := range frames {
		if len(f.Fields) < 2 {
			continue
		}
		l := f.Fields[1].Labels
		if l["simulation"] == s.SimulationName && l["variable"] == s.ResolvedName {
			return f
		}
	}
	var have []string
	for _, f := range frames {
		if len(f.Fields) > 1 {
			have = append(have, f.Fields[1].Labels.String())
		}
	}
	t.Fatalf("no frame labelled simulation=%q variable=%q among %d frames: %v", s.SimulationName, s.ResolvedName, len(frames), have)
	return nil
}

func varNames(vs []Variable) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func okSeries(t testing.TB, series []Series) []Series {
	t.Helper()
	for _, s := range series {
		if s.Error != nil {
			t.Fatalf("REST query: series %s/%s failed: %s", s.Simulation, s.Variable, s.Error.Message)
		}
	}
	return series
}

// processGone reports whether pid no longer exists (after go-plugin reaped it).
func processGone(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == syscall.ESRCH
}

func contextWithCancel(t testing.TB, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx, cancel
}
