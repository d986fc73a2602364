package main

// The live view through Grafana's plugin protocol: a result file grows on disk as a solver writes
// it (tests/support/growing.ts), a live time-series query names the channel on its frames, and the
// stream's packets, decoded frame by frame with the SDK's own data.Frame JSON decoder, extend the
// panel until the run settles. Checked against the REST API's rows of the finished file.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

const (
	liveRun       = "oscillator_live_20261207_120000"
	liveRows      = 3000
	liveMaxPoints = 400
	liveKey       = "simviz-live-test-key"
)

// growingWriter writes the oscillator run to out over about rows/perStep*stepMs milliseconds.
func growingWriter(t *testing.T, out string, rows, perStep, stepMs int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot, "node_modules/.bin/tsx"), filepath.Join(repoRoot, "tests/support/growing.ts"), out,
		"--rows", fmt.Sprint(rows), "--rows-per-step", fmt.Sprint(perStep), "--step-ms", fmt.Sprint(stepMs))
	cmd.Dir = repoRoot
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the growing writer: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// waitForBytes waits until path holds at least n bytes (the writer has put its catalogue down).
func waitForBytes(t *testing.T, path string, n int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := os.Stat(path); err == nil && st.Size() >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never reached %d bytes", path, n)
}

func listedWriting(t *testing.T, p *Plugin, name string) Simulation {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range listSimulations(t, p) {
			if s.Name == name {
				if s.Status != "writing" {
					t.Fatalf("%s is listed as %q while it is being written", name, s.Status)
				}
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s was never listed", name)
	return Simulation{}
}

type liveMeta struct {
	Path   string          `json:"path"`
	Params json.RawMessage `json:"params"`
	Var    string          `json:"variable"`
	Update *struct {
		Action           string `json:"action"`
		Seq              int    `json:"seq"`
		Rows             int    `json:"rows"`
		Settled          bool   `json:"settled"`
		ProvisionalCount int    `json:"provisionalCount"`
	} `json:"update"`
}

func liveOf(t *testing.T, f *data.Frame) liveMeta {
	t.Helper()
	if f.Meta == nil || f.Meta.Custom == nil {
		t.Fatalf("frame %q has no meta.custom", f.Name)
	}
	b, _ := json.Marshal(f.Meta.Custom)
	var c struct {
		Live *liveMeta `json:"live"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Live == nil {
		t.Fatalf("frame %q: meta.custom has no live channel: %s", f.Name, b)
	}
	return *c.Live
}

// liveView is what a panel holds of one variable: final points, then provisional ones.
type liveView struct {
	ms          []int64
	values      []float64
	provisional int
	seq         int
	rows        int
	settled     bool
}

func (v *liveView) apply(t *testing.T, f *data.Frame, m liveMeta) {
	t.Helper()
	u := m.Update
	n := f.Fields[0].Len()
	ms := make([]int64, n)
	values := make([]float64, n)
	for i := 0; i < n; i++ {
		at, _ := timeAt(t, f.Fields[0], i)
		ms[i] = at.UnixMilli()
		if x, ok := floatAt(t, f.Fields[1], i); ok {
			values[i] = x
		} else {
			values[i] = math.NaN()
		}
	}
	switch u.Action {
	case "replace":
		v.ms, v.values = ms, values
	case "append":
		if u.Seq != v.seq+1 {
			t.Fatalf("%s: append %d after update %d: a packet was lost or repeated", m.Var, u.Seq, v.seq)
		}
		keep := len(v.ms) - v.provisional
		v.ms = append(v.ms[:keep], ms...)
		v.values = append(v.values[:keep], values...)
	default:
		t.Fatalf("%s: unknown action %q", m.Var, u.Action)
	}
	v.provisional, v.seq, v.rows, v.settled = u.ProvisionalCount, u.Seq, u.Rows, u.Settled
}

// finalRows is the REST API's rows of the finished file for one variable.
func finalRows(t *testing.T, p *Plugin, id, variable string) (time []float64, values []float64) {
	t.Helper()
	var answer struct {
		Time   []float64 `json:"time"`
		Series []struct {
			Values []*float64 `json:"values"`
		} `json:"series"`
		Settled bool `json:"settled"`
	}
	rest(t, p, "GET", "api/v1/simulations/"+id+"/rows?limit=200000&variable="+variable, nil, 200, &answer)
	if !answer.Settled || len(answer.Series) != 1 {
		t.Fatalf("rows of the finished file: settled %v, %d series", answer.Settled, len(answer.Series))
	}
	for _, v := range answer.Series[0].Values {
		values = append(values, *v)
	}
	return answer.Time, values
}

func followLive(t *testing.T, p *Plugin, dir string) {
	id := listedWriting(t, p, liveRun).ID
	model := tsModel("A", []string{id}, []string{"x", "der(*)"}, map[string]any{"live": true, "timeMode": "wholeRun", "queryMaxDataPoints": liveMaxPoints})
	frames := mustOK(t, p, NewQuery(model, backend.TimeRange{From: time.UnixMilli(0), To: time.UnixMilli(3_600_000)}))
	if len(frames) != 2 {
		t.Fatalf("%d frames, want x and der(x)", len(frames))
	}
	channel := liveOf(t, frames[0])
	if channel.Update != nil || !strings.HasPrefix(channel.Path, "live/"+id+"/") {
		t.Fatalf("the query's frame names channel %q (update %v)", channel.Path, channel.Update)
	}
	pc := PluginContext(p.DS)

	sub, err := p.SubscribeStream(ctxTimeout(t, 30*time.Second), &backend.SubscribeStreamRequest{PluginContext: pc, Path: channel.Path, Data: channel.Params})
	if err != nil || sub.Status != backend.SubscribeStreamStatusOK {
		t.Fatalf("SubscribeStream: %v, status %v", err, sub)
	}
	forged := strings.Replace(string(channel.Params), `"maxDataPoints":400`, `"maxDataPoints":401`, 1)
	if bad, err := p.SubscribeStream(ctxTimeout(t, 30*time.Second), &backend.SubscribeStreamRequest{PluginContext: pc, Path: channel.Path, Data: json.RawMessage(forged)}); err != nil || bad.Status != backend.SubscribeStreamStatusNotFound {
		t.Errorf("a subscription whose data does not hash to its channel: %v, status %v; want NOT_FOUND", err, bad)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := &packetCollector{packets: make(chan []byte, 1024)}
	done := make(chan error, 1)
	go func() {
		done <- p.RunStream(ctx, &backend.RunStreamRequest{PluginContext: pc, Path: channel.Path, Data: channel.Params}, backend.NewStreamSender(c))
	}()
	views := map[string]*liveView{}
	packets := 0
	take := func(packet []byte) {
		packets++
		var pk struct {
			Frames []json.RawMessage `json:"frames"`
		}
		if err := json.Unmarshal(packet, &pk); err != nil || len(pk.Frames) == 0 {
			t.Fatalf("packet %d is not {frames: [...]} (%v): %s", packets, err, clip(packet))
		}
		for _, raw := range pk.Frames {
			var f data.Frame
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatalf("packet %d: the SDK cannot decode a frame (%v): %s", packets, err, clip(raw))
			}
			m := liveOf(t, &f)
			if m.Update == nil || len(f.Fields) != 2 {
				t.Fatalf("packet %d: frame %q carries no update (%d fields)", packets, f.Name, len(f.Fields))
			}
			if views[m.Var] == nil {
				views[m.Var] = &liveView{seq: -1}
			}
			views[m.Var].apply(t, &f, m)
		}
	}
	snapshotChecked := false
	for finished := false; !finished; {
		select {
		case packet := <-c.packets:
			take(packet)
			if packets >= 3 && !snapshotChecked {
				snapshotChecked = checkSnapshot(t, p, channel.Path, views)
			}
		case err := <-done:
			if err != nil {
				t.Fatalf("RunStream: %v", err)
			}
			finished = true
		case <-ctx.Done():
			t.Fatalf("the stream did not end within 90 s of the run (%d packets)", packets)
		}
	}
	for len(c.packets) > 0 {
		take(<-c.packets)
	}
	if packets < 3 {
		t.Errorf("%d packets: the panel did not grow in steps", packets)
	}
	if !snapshotChecked {
		t.Errorf("the run settled before its stream's snapshot could be asked for mid-run")
	}
	// The stream has ended: no snapshot, and the page falls back to joining the channel again.
	rest(t, p, "GET", "live/snapshot?path="+url.QueryEscape(channel.Path), nil, 404, nil)
	rest(t, p, "GET", "live/snapshot?path=api/v1/simulations", nil, 400, nil)
	for _, name := range []string{"x", "der(x)"} {
		v := views[name]
		if v == nil {
			t.Fatalf("no frames for %s", name)
		}
		wantTime, want := finalRows(t, p, id, name)
		if len(want) != liveRows {
			t.Fatalf("the finished file has %d rows of %s, want %d", len(want), name, liveRows)
		}
		if !v.settled || v.rows != liveRows || v.provisional != 0 {
			t.Errorf("%s: settled %v, rows %d (want %d), %d provisional", name, v.settled, v.rows, liveRows, v.provisional)
		}
		if len(v.ms) > liveMaxPoints {
			t.Errorf("%s: %d points, more than maxDataPoints %d", name, len(v.ms), liveMaxPoints)
		}
		if v.ms[0] != int64(math.Round(wantTime[0]*1000)) || v.values[0] != want[0] || v.values[len(v.values)-1] != want[len(want)-1] {
			t.Errorf("%s: first (%d, %v) / last %v, want (%v s, %v) / %v", name, v.ms[0], v.values[0], v.values[len(v.values)-1], wantTime[0], want[0], want[len(want)-1])
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range want {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		found := map[float64]bool{}
		for _, x := range v.values {
			found[x] = true
			if x < lo || x > hi {
				t.Errorf("%s: %v outside the run's range [%v, %v]", name, x, lo, hi)
				break
			}
		}
		if !found[lo] || !found[hi] {
			t.Errorf("%s: the run's minimum %v or maximum %v is missing from the panel", name, lo, hi)
		}
	}
}

// checkSnapshot asks for the running stream's snapshot out of band (CallResource live/snapshot, what
// a page that missed a packet does) and checks it against the views the packets built so far:
// every variable a replace the SDK decodes, no older than the packets already applied. It returns
// false when the stream had already ended (the run was that quick), so that a later packet retries.
func checkSnapshot(t *testing.T, p *Plugin, path string, views map[string]*liveView) bool {
	t.Helper()
	resp, err := p.Get(ctxTimeout(t, 30*time.Second), "live/snapshot?path="+url.QueryEscape(path))
	if err != nil {
		t.Fatalf("CallResource live/snapshot: %v", err)
	}
	if resp.Status == 404 {
		return false
	}
	if resp.Status != 200 {
		t.Fatalf("live/snapshot: status %d: %s", resp.Status, clip(resp.Body))
	}
	var pk struct {
		Frames []json.RawMessage `json:"frames"`
	}
	if err := json.Unmarshal(resp.Body, &pk); err != nil || len(pk.Frames) != len(views) {
		t.Fatalf("live/snapshot: %d frames for %d variables (%v): %s", len(pk.Frames), len(views), err, clip(resp.Body))
	}
	for _, raw := range pk.Frames {
		var f data.Frame
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatalf("live/snapshot: the SDK cannot decode a frame (%v): %s", err, clip(raw))
		}
		m := liveOf(t, &f)
		v := views[m.Var]
		if m.Update == nil || m.Update.Action != "replace" || v == nil {
			t.Fatalf("live/snapshot: frame of %q is not a replace of a followed variable: %+v", m.Var, m.Update)
		}
		if m.Update.Seq < v.seq || m.Update.Rows < v.rows || f.Fields[0].Len() > liveMaxPoints {
			t.Errorf("live/snapshot of %s: update %d with %d rows and %d points, behind the packets (update %d, %d rows)", m.Var, m.Update.Seq, m.Update.Rows, f.Fields[0].Len(), v.seq, v.rows)
		}
	}
	return true
}

func TestLiveStream(t *testing.T) {
	BackendPath(t)
	t.Run("folder mode follows the growing file with its watcher", func(t *testing.T) {
		dir := t.TempDir()
		p := Start(t, folderSettings(t, "live="+dir))
		out := filepath.Join(dir, liveRun+".mat")
		writer := growingWriter(t, out, liveRows, 60, 40)
		waitForBytes(t, out, 1)
		followLive(t, p, dir)
		if err := writer.Wait(); err != nil {
			t.Errorf("the growing writer: %v", err)
		}
	})
	t.Run("proxy mode follows it through a SimViz proxy (no watcher: the rows route polls)", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, liveRun+".mat")
		// Slower than in folder mode: the proxy and then the backend start while the run is written
		// (the proxy lists only what its scan finds), and a run over before the stream opens proves nothing.
		writer := growingWriter(t, out, liveRows, 20, 40)
		waitForBytes(t, out, 2000)
		proxy := startProxy(t, "live="+dir, liveKey)
		p := Start(t, proxySettings(proxy.URL, liveKey, nil))
		followLive(t, p, dir)
		if err := writer.Wait(); err != nil {
			t.Errorf("the growing writer: %v", err)
		}
	})
}
