package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, method, url string, body any) httpAnswer {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpAnswer{resp.StatusCode, resp.Header, b}
}

// grafanaQuery is the body the frontend posts to /api/ds/query.
func grafanaQuery(from, to time.Time, queries ...map[string]any) map[string]any {
	for _, q := range queries {
		if _, ok := q["datasource"]; !ok {
			q["datasource"] = map[string]any{"uid": "simviz-test", "type": PluginType}
		}
		q["intervalMs"] = 100
		if _, ok := q["maxDataPoints"]; !ok {
			q["maxDataPoints"] = 300
		}
	}
	return map[string]any{"queries": queries, "from": strconv.FormatInt(from.UnixMilli(), 10), "to": strconv.FormatInt(to.UnixMilli(), 10)}
}

func TestServeHTTP(t *testing.T) {
	exe := BackendPath(t)
	good := folderSettings(t, sharedFixtures(t))
	broken := Settings{UID: "broken", Name: "Broken", JSONData: mustJSON(map[string]any{"mode": "folder", "folder": "/no/such/results"})}
	ds := map[string]*backend.DataSourceInstanceSettings{}
	for _, s := range []Settings{good, broken} {
		i := s.Instance()
		ds[i.UID] = i
	}
	sup, err := NewSupervisor(Options{Exe: exe}, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sup.Stop)
	server := &Server{Plugins: sup, Datasources: ds, Log: log.New(io.Discard, "", 0)}
	srv := httptest.NewServer(server.Handler())
	t.Cleanup(srv.Close)
	base := srv.URL

	p := sup.Plugin().With(good)
	mats, _ := pick(t, listSimulations(t, p))
	s := mats[0]
	vars := varNames(trajectories(t, p, s.ID, 2))
	tr := runRange(s)

	t.Run("POST /api/ds/query answers the SDK's QueryDataResponse JSON with the plugin's frames", func(t *testing.T) {
		a := do(t, "POST", base+"/api/ds/query", grafanaQuery(tr.From, tr.To, tsModel("A", []string{s.ID}, vars, nil)))
		if a.status != 200 {
			t.Fatalf("status %d: %s", a.status, clip(a.body))
		}
		var resp backend.QueryDataResponse
		if err := json.Unmarshal(a.body, &resp); err != nil {
			t.Fatalf("not a QueryDataResponse: %v", err)
		}
		var shape struct {
			Results map[string]struct {
				Status int               `json:"status"`
				Frames []json.RawMessage `json:"frames"`
			} `json:"results"`
		}
		if err := json.Unmarshal(a.body, &shape); err != nil || len(shape.Results["A"].Frames) != len(vars) {
			t.Fatalf("results.A.frames: %v %s", err, clip(a.body))
		}
		// The same frames as over gRPC.
		query := NewQuery(tsModel("A", []string{s.ID}, vars, nil), tr)
		query.MaxDataPoints = 300
		direct := mustOK(t, p, query)
		got := resp.Responses["A"].Frames
		if len(got) != len(direct) {
			t.Fatalf("%d frames over HTTP, %d over gRPC", len(got), len(direct))
		}
		for i := range got {
			ja, _ := data.FrameToJSON(got[i], data.IncludeAll)
			jb, _ := data.FrameToJSON(direct[i], data.IncludeAll)
			if !bytes.Equal(ja, jb) {
				t.Errorf("frame %d differs:\nHTTP %s\ngRPC %s", i, clip(ja), clip(jb))
			}
		}
	})

	t.Run("a failed query makes /api/ds/query answer 400 with the error beside the good result", func(t *testing.T) {
		a := do(t, "POST", base+"/api/ds/query", grafanaQuery(tr.From, tr.To,
			tsModel("A", []string{s.ID}, vars, nil),
			map[string]any{"refId": "B", "queryType": "nope"}))
		if a.status != 400 {
			t.Fatalf("status %d, want 400 (Grafana's toJsonStreamingResponse): %s", a.status, clip(a.body))
		}
		var resp backend.QueryDataResponse
		if err := json.Unmarshal(a.body, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.Responses["B"].Error == nil || !strings.Contains(resp.Responses["B"].Error.Error(), "nope") {
			t.Errorf("B: %v", resp.Responses["B"].Error)
		}
		if resp.Responses["A"].Error != nil || len(resp.Responses["A"].Frames) == 0 {
			t.Errorf("A: %v, %d frames", resp.Responses["A"].Error, len(resp.Responses["A"].Frames))
		}
	})

	t.Run("with the multi-status toggle a failed query answers 207", func(t *testing.T) {
		ms := &Server{Plugins: sup, Datasources: ds, MultiStatus: true, Log: server.Log}
		h := httptest.NewServer(ms.Handler())
		defer h.Close()
		a := do(t, "POST", h.URL+"/api/ds/query", grafanaQuery(tr.From, tr.To, map[string]any{"refId": "B", "queryType": "nope"}))
		if a.status != 207 {
			t.Fatalf("status %d, want 207", a.status)
		}
	})

	t.Run("queries of two datasources are answered together", func(t *testing.T) {
		a := do(t, "POST", base+"/api/ds/query", grafanaQuery(tr.From, tr.To,
			tsModel("A", []string{s.ID}, vars, nil),
			map[string]any{"refId": "B", "queryType": "timeseries", "simulations": []string{s.ID}, "variables": vars, "datasource": map[string]any{"uid": "broken"}}))
		var resp backend.QueryDataResponse
		if err := json.Unmarshal(a.body, &resp); err != nil {
			t.Fatal(err)
		}
		if a.status != 400 || resp.Responses["A"].Error != nil || resp.Responses["B"].Error == nil {
			t.Fatalf("status %d, A %v, B %v", a.status, resp.Responses["A"].Error, resp.Responses["B"].Error)
		}
	})

	t.Run("an unknown datasource is 404 and a query without one is 400", func(t *testing.T) {
		a := do(t, "POST", base+"/api/ds/query", grafanaQuery(tr.From, tr.To, map[string]any{"refId": "A", "datasource": map[string]any{"uid": "nope"}}))
		if a.status != 404 {
			t.Errorf("unknown uid: %d %s", a.status, clip(a.body))
		}
		a = do(t, "POST", base+"/api/ds/query", map[string]any{"from": "0", "to": "1", "queries": []any{map[string]any{"refId": "A"}}})
		if a.status != 400 {
			t.Errorf("no datasource: %d %s", a.status, clip(a.body))
		}
		a = do(t, "POST", base+"/api/ds/query", map[string]any{"from": "0", "to": "1", "queries": []any{}})
		if a.status != 400 {
			t.Errorf("no queries: %d %s", a.status, clip(a.body))
		}
	})

	t.Run("relative time ranges are parsed as Grafana parses them", func(t *testing.T) {
		body := grafanaQuery(time.Now(), time.Now(), tsModel("A", []string{s.ID}, vars, map[string]any{"timeMode": "wholeRun"}))
		body["from"], body["to"] = "now-6h", "now"
		if a := do(t, "POST", base+"/api/ds/query", body); a.status != 200 {
			t.Fatalf("status %d: %s", a.status, clip(a.body))
		}
	})

	t.Run("GET resources forwards path and query string", func(t *testing.T) {
		a := do(t, "GET", base+"/api/datasources/uid/simviz-test/resources/api/v1/simulations?limit=1", nil)
		var page struct {
			Items []Simulation `json:"items"`
			Total int          `json:"total"`
		}
		if a.status != 200 || json.Unmarshal(a.body, &page) != nil || len(page.Items) != 1 || page.Total < 2 {
			t.Fatalf("status %d: %s", a.status, clip(a.body))
		}
		if ct := a.header.Get("Content-Type"); !strings.Contains(ct, "json") {
			t.Errorf("Content-Type %q", ct)
		}
	})

	t.Run("POST resources forwards the body", func(t *testing.T) {
		a := do(t, "POST", base+"/api/datasources/uid/simviz-test/resources/api/v1/query",
			map[string]any{"simulations": []string{s.ID}, "variables": vars[:1], "from": 0, "to": 10, "maxDataPoints": 500})
		var resp struct {
			Series []Series `json:"series"`
		}
		if a.status != 200 || json.Unmarshal(a.body, &resp) != nil || len(resp.Series) != 1 || len(resp.Series[0].Time) == 0 {
			t.Fatalf("status %d: %s", a.status, clip(a.body))
		}
	})

	t.Run("a resource path the plugin does not have is 404", func(t *testing.T) {
		if a := do(t, "GET", base+"/api/datasources/uid/simviz-test/resources/api/v1/nope", nil); a.status != 404 {
			t.Errorf("status %d: %s", a.status, clip(a.body))
		}
		if a := do(t, "GET", base+"/api/datasources/uid/nope/resources/api/v1/health", nil); a.status != 404 {
			t.Errorf("unknown datasource: status %d", a.status)
		}
	})

	t.Run("health is 200 OK for a good datasource and 400 ERROR for a broken one", func(t *testing.T) {
		var h struct{ Status, Message string }
		a := do(t, "GET", base+"/api/datasources/uid/simviz-test/health", nil)
		if a.status != 200 || json.Unmarshal(a.body, &h) != nil || h.Status != "OK" || h.Message == "" {
			t.Errorf("good: %d %s", a.status, clip(a.body))
		}
		a = do(t, "GET", base+"/api/datasources/uid/broken/health", nil)
		if a.status != 400 || json.Unmarshal(a.body, &h) != nil || h.Status != "ERROR" || !strings.Contains(h.Message, "/no/such/results") {
			t.Errorf("broken: %d %s", a.status, clip(a.body))
		}
	})

	t.Run("a plugin that died is restarted, as Grafana's process manager does", func(t *testing.T) {
		old := sup.Plugin()
		pid := old.PID()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if !waitFor(20*time.Second, func() bool { np := sup.Plugin(); return np != nil && np.PID() != pid }) {
			t.Fatal("no new plugin process within 20 s")
		}
		if a := do(t, "GET", base+"/api/datasources/uid/simviz-test/health", nil); a.status != 200 {
			t.Errorf("health after the restart: %d %s", a.status, clip(a.body))
		}
	})
}

// TestServeCommand runs `serve` as the browser harness does: the built command, its ready line,
// and a stop by SIGTERM and by closing stdin that takes the plugin process with it.
func TestServeCommand(t *testing.T) {
	exe := BackendPath(t)
	bin := filepath.Join(t.TempDir(), "grafana-host")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	settings := filepath.Join(t.TempDir(), "settings.json")
	s := folderSettings(t, sharedFixtures(t))
	b, _ := json.Marshal(s)
	if err := os.WriteFile(settings, b, 0o644); err != nil {
		t.Fatal(err)
	}

	start := func(t *testing.T) (*exec.Cmd, io.WriteCloser, string, int) {
		cmd := exec.Command(bin, "serve", "--exe", exe, "--listen", "127.0.0.1:0", "--settings", settings, "--quiet")
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		lines := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		var line string
		select {
		case line = <-lines:
		case <-time.After(60 * time.Second):
			t.Fatalf("no ready line within 60 s; stderr %s", stderr.String())
		}
		url, ok := strings.CutPrefix(line, "listening ")
		if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Fatalf("first line %q, want listening http://127.0.0.1:PORT", line)
		}
		children := childPIDs(cmd.Process.Pid)
		if len(children) != 1 {
			t.Fatalf("serve has %d child processes (%v), want the plugin alone", len(children), children)
		}
		return cmd, stdin, url, children[0]
	}

	stops := map[string]func(cmd *exec.Cmd, stdin io.WriteCloser){
		"SIGTERM":           func(cmd *exec.Cmd, _ io.WriteCloser) { _ = cmd.Process.Signal(syscall.SIGTERM) },
		"closing its stdin": func(_ *exec.Cmd, stdin io.WriteCloser) { _ = stdin.Close() },
	}
	for name, stop := range stops {
		t.Run("serves health and stops with the plugin on "+name, func(t *testing.T) {
			cmd, stdin, url, plugin := start(t)
			if a := do(t, "GET", url+"/api/datasources/uid/simviz-test/health", nil); a.status != 200 {
				t.Fatalf("health %d %s", a.status, clip(a.body))
			}
			stop(cmd, stdin)
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("serve exited with %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("serve still runs 15 s after " + name)
			}
			if !waitFor(5*time.Second, func() bool { return processGone(plugin) }) {
				t.Errorf("plugin process %d outlived serve", plugin)
			}
		})
	}
}

// childPIDs lists the children of pid (Linux /proc).
func childPIDs(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, field := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(field); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
