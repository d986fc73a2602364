package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newestFolder is a data root with three runs of known age: run_old (2020), nightly/run_mid
// (2022, tagged "nightly" in its sidecar) and run_new (2024), copies of real files.
func newestFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "runs")
	if err := os.MkdirAll(filepath.Join(dir, "nightly"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFixture(t, "om119_bouncingball.mat", dir, "run_old.mat", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	mid := copyFixture(t, "dymola_chuacircuit.mat", filepath.Join(dir, "nightly"), "run_mid.mat", time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := os.WriteFile(mid+".json", []byte(`{"tags":["nightly"],"description":"tagged run"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	copyFixture(t, "dymola_threetanks.mat", dir, "run_new.mat", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	return dir
}

func TestNewest(t *testing.T) {
	BackendPath(t)
	dir := newestFolder(t)
	p := Start(t, folderSettings(t, dir))
	proxy := startProxy(t, dir, "newest-key")
	for _, m := range []mode{{"folder", folderSettings(t, dir)}, {"proxy", proxySettings(proxy.URL, "newest-key", nil)}} {
		q := p.With(m.settings)
		byName := map[string]Simulation{}
		for _, s := range listSimulations(t, q) {
			byName[s.Name] = s
		}
		for _, name := range []string{"run_old", "run_mid", "run_new"} {
			if byName[name].Status != "ok" {
				t.Fatalf("%s: %s is %q, not ok (listing %v)", m.name, name, byName[name].Status, byName)
			}
		}
		cases := []struct {
			name   string
			newest map[string]any
			want   string
		}{
			{"no filter picks the most recently written run", map[string]any{}, "run_new"},
			{"search picks the newest run matching it", map[string]any{"search": "run_old"}, "run_old"},
			{"folder picks the newest run in that folder", map[string]any{"folder": "nightly"}, "run_mid"},
			{"tag picks the newest run with that tag", map[string]any{"tag": "nightly"}, "run_mid"},
		}
		for _, c := range cases {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				want := byName[c.want]
				vars := varNames(trajectories(t, q, want.ID, 1))
				model := tsModel("N", []string{}, vars, map[string]any{"newest": c.newest, "timeMode": "wholeRun"})
				query := NewQuery(model, nowRange())
				query.MaxDataPoints = 200
				frames := mustOK(t, q, query)
				ref := okSeries(t, restQuery(t, q, map[string]any{"simulations": []string{want.ID}, "variables": vars, "maxDataPoints": 200}))
				if len(frames) != 1 {
					t.Fatalf("%d frames, want 1", len(frames))
				}
				checkSeriesFrame(t, frameFor(t, frames, ref[0]), ref[0])
			})
		}
		t.Run(m.name+"/newest wins over the listed simulations", func(t *testing.T) {
			want := byName["run_new"]
			vars := varNames(trajectories(t, q, want.ID, 1))
			model := tsModel("N", []string{byName["run_old"].ID}, vars, map[string]any{"newest": map[string]any{}, "timeMode": "wholeRun"})
			frames := mustOK(t, q, NewQuery(model, nowRange()))
			if len(frames) != 1 || frames[0].Fields[1].Labels["simulation"] != "run_new" {
				t.Fatalf("frames %v, want one of run_new", frames)
			}
		})
		t.Run(m.name+"/newest matching nothing is a clear query error", func(t *testing.T) {
			model := tsModel("N", []string{}, []string{"x"}, map[string]any{"newest": map[string]any{"search": "zzz-nothing-matches"}, "timeMode": "wholeRun"})
			dr := mustResponse(t, q, NewQuery(model, nowRange()))["N"]
			if dr.Error == nil || !strings.Contains(dr.Error.Error(), "zzz-nothing-matches") {
				t.Fatalf("error %v, want one naming the search", dr.Error)
			}
		})
		t.Run(m.name+"/newest works for events and parameters too", func(t *testing.T) {
			for _, qt := range []string{"events", "parameters"} {
				model := map[string]any{"refId": "N", "queryType": qt, "simulations": []string{}, "variables": []string{}, "newest": map[string]any{"tag": "nightly"}, "timeMode": "wholeRun"}
				frames := mustOK(t, q, NewQuery(model, nowRange()))
				if len(frames) != 1 {
					t.Fatalf("%s: %d frames", qt, len(frames))
				}
				if qt == "events" && !strings.Contains(frames[0].Name, "run_mid") {
					t.Errorf("events frame %q is not of run_mid", frames[0].Name)
				}
			}
		})
	}
}
