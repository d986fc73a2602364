package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// hangingProxy accepts every request and never answers it; it notes when each request starts and
// when its client gives up on it.
type hangingProxy struct {
	*httptest.Server
	mu        sync.Mutex
	started   map[string]int
	abandoned map[string]int
	arrived   chan string
}

func newHangingProxy(t *testing.T) *hangingProxy {
	h := &hangingProxy{started: map[string]int{}, abandoned: map[string]int{}, arrived: make(chan string, 100)}
	release := make(chan struct{})
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.started[r.URL.Path]++
		h.mu.Unlock()
		select {
		case h.arrived <- r.URL.Path:
		default:
		}
		select {
		case <-r.Context().Done():
			h.mu.Lock()
			h.abandoned[r.URL.Path]++
			h.mu.Unlock()
		case <-release:
		}
	}))
	t.Cleanup(h.Server.Close)
	t.Cleanup(func() { close(release) })
	return h
}

func (h *hangingProxy) counts(path string) (started, abandoned int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.started[path], h.abandoned[path]
}

// waitFor polls cond every 50 ms for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

func TestLifecycle(t *testing.T) {
	BackendPath(t)

	t.Run("the plugin negotiates protocol 2 over gRPC", func(t *testing.T) {
		p := Start(t, folderSettings(t, sharedFixtures(t)))
		if v := p.Client().NegotiatedVersion(); v != 2 {
			t.Errorf("negotiated version %d, want 2", v)
		}
		if proto := p.Client().Protocol(); proto != "grpc" {
			t.Errorf("protocol %q, want grpc", proto)
		}
	})

	t.Run("the executable refuses to run when Grafana did not start it", func(t *testing.T) {
		cmd := exec.Command(BackendPath(t))
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("exited 0 without the magic cookie; output %s", out)
		}
		if !strings.Contains(strings.ToLower(string(out)), "grafana") {
			t.Errorf("output %q does not say Grafana starts it", out)
		}
	})

	t.Run("the plugin's log lines reach the host as hclog entries", func(t *testing.T) {
		p := Start(t, folderSettings(t, sharedFixtures(t)))
		if res := mustHealth(t, p); res.Status != backend.HealthStatusOk {
			t.Fatalf("health %s", res.Message)
		}
		p.Kill()
		var fromPlugin, raw []string
		for _, e := range p.Logs.Entries() {
			msg, _ := e["@message"].(string)
			mod, _ := e["@module"].(string)
			if strings.HasPrefix(strings.TrimSpace(msg), "{") {
				raw = append(raw, msg)
			}
			if mod == "simviz" || strings.HasSuffix(mod, ".simviz") {
				if lvl, _ := e["@level"].(string); lvl == "info" || lvl == "warn" || lvl == "error" {
					fromPlugin = append(fromPlugin, msg)
				}
			}
		}
		if len(raw) > 0 {
			t.Errorf("go-plugin could not parse %d plugin log lines as hclog JSON (logged raw at debug), e.g. %s", len(raw), raw[0])
		}
		if len(fromPlugin) == 0 {
			t.Errorf("no info/warn/error entry of the plugin in the host log:\n%s", tail(p.Logs.String(), 3000))
		}
	})

	t.Run("CollectMetrics answers Prometheus text", func(t *testing.T) {
		p := Start(t, folderSettings(t, sharedFixtures(t)))
		res, err := p.CollectMetrics(ctxTimeout(t, 30*time.Second), &backend.CollectMetricsRequest{PluginContext: PluginContext(p.DS)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(res.PrometheusMetrics), "# TYPE") {
			t.Errorf("metrics: %s", clip(res.PrometheusMetrics))
		}
	})

	t.Run("Kill shuts the plugin down gracefully and the process is gone", func(t *testing.T) {
		p := Start(t, folderSettings(t, sharedFixtures(t)))
		mustHealth(t, p)
		pid := p.PID()
		if pid == 0 || processGone(pid) {
			t.Fatalf("no running plugin process (pid %d)", pid)
		}
		start := time.Now()
		p.Kill()
		took := time.Since(start)
		// go-plugin asks the plugin to shut down, waits up to 2 s, then kills it.
		if took >= 2*time.Second {
			t.Errorf("Kill took %v: the plugin did not exit on the controller's Shutdown, go-plugin had to kill it", took)
		}
		if !p.Exited() {
			t.Error("go-plugin does not see the process as exited")
		}
		if !waitFor(5*time.Second, func() bool { return processGone(pid) }) {
			t.Errorf("process %d still exists after Kill", pid)
		}
		if !strings.Contains(p.Logs.String(), "stopping") {
			t.Logf("the plugin logged nothing about stopping")
		}
	})

	t.Run("a second start of the same executable works independently", func(t *testing.T) {
		a := Start(t, folderSettings(t, sharedFixtures(t)))
		b := Start(t, folderSettings(t, sharedFixtures(t)))
		if a.PID() == b.PID() {
			t.Fatalf("both plugins have pid %d", a.PID())
		}
		for _, p := range []*Plugin{a, b} {
			if res := mustHealth(t, p); res.Status != backend.HealthStatusOk {
				t.Fatalf("pid %d: %s", p.PID(), res.Message)
			}
		}
		mats, _ := pick(t, listSimulations(t, b))
		vars := varNames(trajectories(t, b, mats[0].ID, 1))
		query := NewQuery(tsModel("A", []string{mats[0].ID}, vars, nil), runRange(mats[0]))
		before := mustOK(t, b, query)
		a.Kill()
		if !a.Exited() {
			t.Fatal("the first plugin has not exited")
		}
		after := mustOK(t, b, query)
		if len(after) != len(before) || after[0].Rows() != before[0].Rows() {
			t.Errorf("the second plugin answers differently after the first stopped")
		}
		if _, err := a.Health(ctxTimeout(t, 10*time.Second)); err == nil {
			t.Error("the killed plugin still answers")
		}
	})

	t.Run("a plugin killed mid-query gives the client an error, not a hang", func(t *testing.T) {
		hang := newHangingProxy(t)
		p := Start(t, proxySettings(hang.URL, "k", nil))
		query := NewQuery(tsModel("A", []string{"some-run"}, []string{"x"}, nil), nowRange())
		ctx, cancel := contextWithCancel(t, 120*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := p.Query(ctx, query)
			done <- err
		}()
		select {
		case <-hang.arrived:
		case err := <-done:
			t.Fatalf("QueryData ended before reaching the proxy: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("the query never reached the proxy")
		}
		pid := p.PID()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		select {
		case err := <-done:
			if err == nil {
				t.Error("QueryData succeeded although the plugin was killed")
			}
			t.Logf("error after %v: %v", time.Since(killed), err)
		case <-time.After(10 * time.Second):
			t.Fatal("QueryData still waits 10 s after the plugin was killed")
		}
		if !waitFor(5*time.Second, p.Exited) {
			t.Error("go-plugin does not see the killed process as exited")
		}
		start := time.Now()
		if _, err := p.Health(ctxTimeout(t, 30*time.Second)); err == nil {
			t.Error("CheckHealth succeeded on a killed plugin")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("CheckHealth on a killed plugin took %v", d)
		}
	})

	t.Run("a proxy that never answers: cancelled calls return at once and the plugin keeps serving", func(t *testing.T) {
		hang := newHangingProxy(t)
		p := Start(t, folderSettings(t, sharedFixtures(t)))
		slow := p.With(proxySettings(hang.URL, "k", nil))
		const limit = 1500 * time.Millisecond
		calls := map[string]func(ctx context.Context) error{
			"QueryData": func(ctx context.Context) error {
				_, err := slow.Query(ctx, NewQuery(tsModel("A", []string{"some-run"}, []string{"x"}, nil), nowRange()))
				return err
			},
			"CheckHealth": func(ctx context.Context) error {
				_, err := slow.Health(ctx)
				return err
			},
			"CallResource": func(ctx context.Context) error {
				_, err := slow.Get(ctx, "api/v1/simulations?limit=5")
				return err
			},
		}
		for name, call := range calls {
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			start := time.Now()
			err := call(ctx)
			cancel()
			if d := time.Since(start); d > limit+2*time.Second {
				t.Errorf("%s with a %v deadline returned after %v", name, limit, d)
			}
			if err == nil {
				t.Errorf("%s succeeded against a proxy that never answers", name)
			}
		}
		// The same process still serves the healthy datasource, at once.
		start := time.Now()
		if res := mustHealth(t, p); res.Status != backend.HealthStatusOk {
			t.Fatalf("health afterwards: %s", res.Message)
		}
		mats, _ := pick(t, listSimulations(t, p))
		vars := varNames(trajectories(t, p, mats[0].ID, 1))
		mustOK(t, p, NewQuery(tsModel("A", []string{mats[0].ID}, vars, nil), runRange(mats[0])))
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("serving the healthy datasource took %v while the slow calls hang", d)
		}
	})

	t.Run("a cancelled call makes the plugin abandon its request to the proxy", func(t *testing.T) {
		hang := newHangingProxy(t)
		p := Start(t, proxySettings(hang.URL, "k", nil))
		for _, c := range []struct {
			name, path string
			call       func(ctx context.Context)
		}{
			{"QueryData", "/api/v1/simulations/some-run", func(ctx context.Context) {
				_, _ = p.Query(ctx, NewQuery(tsModel("A", []string{"some-run"}, []string{"x"}, nil), nowRange()))
			}},
			{"CallResource", "/api/v1/sessions-probe", func(ctx context.Context) {
				_, _ = p.Get(ctx, "api/v1/sessions-probe")
			}},
		} {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { c.call(ctx); close(done) }()
			if !waitFor(20*time.Second, func() bool { s, _ := hang.counts(c.path); return s > 0 }) {
				cancel()
				t.Errorf("%s: the request never reached the proxy at %s", c.name, c.path)
				continue
			}
			cancel()
			<-done
			if !waitFor(5*time.Second, func() bool { s, a := hang.counts(c.path); return a == s }) {
				s, a := hang.counts(c.path)
				t.Errorf("%s: 5 s after Grafana cancelled, the plugin still holds %d of %d requests to the proxy open", c.name, s-a, s)
			}
		}
	})

	t.Run("the datasource's timeout setting ends a query against a stuck proxy", func(t *testing.T) {
		hang := newHangingProxy(t)
		p := Start(t, proxySettings(hang.URL, "k", map[string]any{"timeout": 2}))
		start := time.Now()
		resp, err := p.Query(ctxTimeout(t, 60*time.Second), NewQuery(tsModel("A", []string{"some-run"}, []string{"x"}, nil), nowRange()))
		took := time.Since(start)
		if err != nil {
			t.Fatalf("QueryData failed as a whole (%v) instead of answering a query error", err)
		}
		dr := resp.Responses["A"]
		if dr.Error == nil {
			t.Fatal("no error from a proxy that never answers")
		}
		t.Logf("after %v: %v", took, dr.Error)
		// The timeout, plus one retry of an unreachable proxy.
		if took > 15*time.Second {
			t.Errorf("took %v with a 2 s timeout", took)
		}
	})
}
