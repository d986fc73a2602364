package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// nowRange is what an alert rule sends: the last hour before now.
func nowRange() backend.TimeRange {
	now := time.Now().UTC()
	return backend.TimeRange{From: now.Add(-time.Hour), To: now}
}

func TestQueryData(t *testing.T) {
	BackendPath(t)
	p := Start(t, folderSettings(t, sharedFixtures(t)))

	for _, m := range modes(t) {
		q := p.With(m.settings)
		sims := listSimulations(t, q)
		mats, csv := pick(t, sims)
		runs := append([]Simulation{}, mats...)
		if csv != nil {
			runs = append(runs, *csv)
		}

		t.Run(m.name+"/timeseries equals the REST answer for each real file", func(t *testing.T) {
			for _, s := range runs {
				t.Run(s.Path, func(t *testing.T) {
					vars := varNames(trajectories(t, q, s.ID, 2))
					tr := runRange(s)
					const points = 500
					ref := okSeries(t, restQuery(t, q, map[string]any{
						"simulations": []string{s.ID}, "variables": vars,
						"from": float64(tr.From.UnixMilli()) / 1000, "to": float64(tr.To.UnixMilli()) / 1000, "maxDataPoints": points,
					}))
					if len(ref) != len(vars) {
						t.Fatalf("REST gave %d series for %d variables", len(ref), len(vars))
					}
					query := NewQuery(tsModel("A", []string{s.ID}, vars, nil), tr)
					query.MaxDataPoints = points
					frames := mustOK(t, q, query)
					if len(frames) != len(ref) {
						t.Fatalf("%d frames, want one per (simulation, variable): %d", len(frames), len(ref))
					}
					for _, series := range ref {
						f := frameFor(t, frames, series)
						checkSeriesFrame(t, f, series)
						if f.RefID != "A" {
							t.Errorf("frame %q has refId %q, want A", f.Name, f.RefID)
						}
					}
				})
			}
		})

		t.Run(m.name+"/timeseries at full resolution has every point of the file", func(t *testing.T) {
			s := mats[0]
			vars := varNames(trajectories(t, q, s.ID, 1))
			tr := runRange(s)
			ref := okSeries(t, restQuery(t, q, map[string]any{
				"simulations": []string{s.ID}, "variables": vars,
				"from": float64(tr.From.UnixMilli()) / 1000, "to": float64(tr.To.UnixMilli()) / 1000, "maxDataPoints": 10_000_000,
			}))
			if ref[0].Downsampled || len(ref[0].Time) < 2 {
				t.Fatalf("REST reference is downsampled (%v) or tiny (%d points)", ref[0].Downsampled, len(ref[0].Time))
			}
			query := NewQuery(tsModel("A", []string{s.ID}, vars, nil), tr)
			query.MaxDataPoints = 10_000_000
			frames := mustOK(t, q, query)
			checkSeriesFrame(t, frameFor(t, frames, ref[0]), ref[0])
		})

		t.Run(m.name+"/maxDataPoints limits the points and the frame says it is downsampled", func(t *testing.T) {
			// The run with the most time points.
			s := mats[0]
			for _, c := range mats {
				if c.TimePointCount > s.TimePointCount {
					s = c
				}
			}
			vars := varNames(trajectories(t, q, s.ID, 1))
			query := NewQuery(tsModel("A", []string{s.ID}, vars, nil), runRange(s))
			query.MaxDataPoints = 20
			frames := mustOK(t, q, query)
			if len(frames) != 1 {
				t.Fatalf("%d frames", len(frames))
			}
			if n := frames[0].Rows(); n > 4*20 || n == 0 {
				t.Errorf("%d rows for maxDataPoints 20 over %d time points", n, s.TimePointCount)
			}
		})

		t.Run(m.name+"/several queries in one request each get their own answer", func(t *testing.T) {
			a, b := mats[0], mats[1]
			va := varNames(trajectories(t, q, a.ID, 1))
			vb := varNames(trajectories(t, q, b.ID, 1))
			qa := NewQuery(tsModel("A", []string{a.ID}, va, nil), runRange(a))
			qb := NewQuery(tsModel("B", []string{b.ID}, vb, nil), runRange(b))
			r := mustResponse(t, q, qa, qb)
			for _, c := range []struct {
				ref string
				sim Simulation
			}{{"A", a}, {"B", b}} {
				dr := r[c.ref]
				if dr.Error != nil || len(dr.Frames) != 1 {
					t.Fatalf("%s: error %v, %d frames", c.ref, dr.Error, len(dr.Frames))
				}
				if got := dr.Frames[0].Fields[1].Labels["simulation"]; got != c.sim.Name {
					t.Errorf("%s: frame of %q, want %q", c.ref, got, c.sim.Name)
				}
			}
		})

		t.Run(m.name+"/table has the REST values", func(t *testing.T) {
			s := mats[0]
			vars := varNames(trajectories(t, q, s.ID, 2))
			tr := runRange(s)
			ref := okSeries(t, restQuery(t, q, map[string]any{
				"simulations": []string{s.ID}, "variables": vars,
				"from": float64(tr.From.UnixMilli()) / 1000, "to": float64(tr.To.UnixMilli()) / 1000, "maxDataPoints": 100_000,
			}))
			model := tsModel("A", []string{s.ID}, vars, nil)
			model["queryType"] = "table"
			frames := mustOK(t, q, NewQuery(model, tr))
			if len(frames) == 0 {
				t.Fatal("no frames")
			}
			for _, series := range ref {
				checkTableColumn(t, frames, series)
			}
		})

		t.Run(m.name+"/parameters of one run equal the REST parameters", func(t *testing.T) {
			s := mats[0]
			var page struct {
				Items []Variable `json:"items"`
				Total int        `json:"total"`
			}
			rest(t, q, "GET", "api/v1/simulations/"+s.ID+"/parameters?limit=1000", nil, 200, &page)
			model := map[string]any{"refId": "P", "queryType": "parameters", "simulations": []string{s.ID}, "variables": []string{}}
			frames := mustOK(t, q, NewQuery(model, runRange(s)))
			if len(frames) != 1 {
				t.Fatalf("%d frames, want 1", len(frames))
			}
			f := frames[0]
			names := fieldByName(t, f, "Parameter")
			values := fieldByName(t, f, "Value")
			if names.Len() != len(page.Items) {
				t.Fatalf("%d parameters, REST lists %d", names.Len(), len(page.Items))
			}
			for i, item := range page.Items {
				if got := names.At(i); got != item.Name {
					t.Fatalf("row %d: parameter %v, REST %q", i, got, item.Name)
				}
				v, ok := floatAt(t, values, i)
				if item.Value == nil && ok && !math.IsNaN(v) {
					t.Fatalf("%s: value %v, REST null", item.Name, v)
				}
				if item.Value != nil && (!ok || v != *item.Value) {
					t.Fatalf("%s: value %v (present %v), REST %v", item.Name, v, ok, *item.Value)
				}
			}
		})

		t.Run(m.name+"/parameters of two runs side by side equal the REST diff", func(t *testing.T) {
			a, b := mats[0], mats[1]
			var diff struct {
				Simulations []string `json:"simulations"`
				Items       []struct {
					Name   string     `json:"name"`
					Values []*float64 `json:"values"`
				} `json:"items"`
			}
			rest(t, q, "GET", "api/v1/parameters/diff?simulation="+url.QueryEscape(a.ID)+"&simulation="+url.QueryEscape(b.ID)+"&all=true&limit=1000", nil, 200, &diff)
			model := map[string]any{"refId": "P", "queryType": "parameters", "simulations": []string{a.ID, b.ID}, "variables": []string{}}
			frames := mustOK(t, q, NewQuery(model, runRange(a)))
			if len(frames) != 1 {
				t.Fatalf("%d frames, want 1", len(frames))
			}
			f := frames[0]
			names := fieldByName(t, f, "Parameter")
			if names.Len() != len(diff.Items) {
				t.Fatalf("%d rows, REST diff has %d", names.Len(), len(diff.Items))
			}
			for k, run := range []Simulation{a, b} {
				col := fieldByName(t, f, run.Name)
				for i, item := range diff.Items {
					v, ok := floatAt(t, col, i)
					w := item.Values[k]
					if (w == nil) != (!ok || math.IsNaN(v)) || (w != nil && v != *w) {
						t.Fatalf("%s / %s: %v (present %v), REST %v", run.Name, item.Name, v, ok, w)
					}
				}
			}
		})

		t.Run(m.name+"/events equal the REST events", func(t *testing.T) {
			for _, s := range mats {
				var page struct {
					Items []struct {
						Time float64 `json:"time"`
					} `json:"items"`
				}
				rest(t, q, "GET", fmt.Sprintf("api/v1/simulations/%s/events?from=%v&to=%v", s.ID, *s.StartTime, *s.StopTime), nil, 200, &page)
				model := map[string]any{"refId": "E", "queryType": "events", "simulations": []string{s.ID}, "variables": []string{}, "timeMode": "wholeRun"}
				frames := mustOK(t, q, NewQuery(model, runRange(s)))
				if len(frames) != 1 {
					t.Fatalf("%s: %d frames, want 1", s.Path, len(frames))
				}
				f := frames[0]
				tf := fieldByName(t, f, "Time")
				if tf.Type() != data.FieldTypeTime && tf.Type() != data.FieldTypeNullableTime {
					t.Fatalf("%s: Time field is %s", s.Path, tf.Type())
				}
				fieldByName(t, f, "text")
				if tf.Len() != len(page.Items) {
					t.Fatalf("%s: %d events, REST has %d", s.Path, tf.Len(), len(page.Items))
				}
				for i, e := range page.Items {
					got, _ := timeAt(t, tf, i)
					if d := math.Abs(float64(got.UnixNano()) - e.Time*1e9); d > 1000 {
						t.Fatalf("%s: event %d at %v, REST %v s", s.Path, i, got, e.Time)
					}
				}
			}
		})

		t.Run(m.name+"/stats equal the REST stats", func(t *testing.T) {
			var stats struct {
				Version     string `json:"version"`
				Simulations struct {
					Total   int `json:"total"`
					OK      int `json:"ok"`
					Writing int `json:"writing"`
					Error   int `json:"error"`
				} `json:"simulations"`
			}
			rest(t, q, "GET", "api/v1/stats", nil, 200, &stats)
			for _, table := range []string{"summary", "status", "failures", "indexing", "caches", "routes"} {
				model := map[string]any{"refId": "S", "queryType": "stats", "statsTable": table}
				frames := mustOK(t, q, NewQuery(model, nowRange()))
				if len(frames) != 1 || len(frames[0].Fields) == 0 {
					t.Fatalf("stats %s: %d frames", table, len(frames))
				}
				f := frames[0]
				switch table {
				case "summary":
					if v := fieldByName(t, f, "Version").At(0); fmt.Sprint(deref(v)) != stats.Version {
						t.Errorf("summary Version %v, REST %q", deref(v), stats.Version)
					}
					if n, _ := floatAt(t, fieldByName(t, f, "Simulations"), 0); int(n) != stats.Simulations.Total {
						t.Errorf("summary Simulations %v, REST %d", n, stats.Simulations.Total)
					}
				case "status":
					status, counts := fieldByName(t, f, "Status"), fieldByName(t, f, "Simulations")
					want := map[string]int{"ok": stats.Simulations.OK, "writing": stats.Simulations.Writing, "error": stats.Simulations.Error}
					for i := 0; i < status.Len(); i++ {
						n, _ := floatAt(t, counts, i)
						if w := want[fmt.Sprint(deref(status.At(i)))]; int(n) != w {
							t.Errorf("status %v: %v, REST %d", deref(status.At(i)), n, w)
						}
					}
				case "failures":
					if f.Rows() != stats.Simulations.Error && f.Rows() != 20 {
						t.Errorf("failures: %d rows, REST counts %d failing", f.Rows(), stats.Simulations.Error)
					}
				}
			}
		})

		t.Run(m.name+"/whole run mode ignores the (alerting) time range", func(t *testing.T) {
			s := mats[1]
			vars := varNames(trajectories(t, q, s.ID, 1))
			ref := okSeries(t, restQuery(t, q, map[string]any{"simulations": []string{s.ID}, "variables": vars, "maxDataPoints": 300}))
			query := NewQuery(tsModel("A", []string{s.ID}, vars, map[string]any{"timeMode": "wholeRun"}), nowRange())
			query.MaxDataPoints = 300
			frames := mustOK(t, q, query)
			checkSeriesFrame(t, frameFor(t, frames, ref[0]), ref[0])
		})

		t.Run(m.name+"/last N seconds mode reads the end of the run", func(t *testing.T) {
			s := mats[0]
			vars := varNames(trajectories(t, q, s.ID, 1))
			n := (*s.StopTime - *s.StartTime) / 4
			ref := okSeries(t, restQuery(t, q, map[string]any{"simulations": []string{s.ID}, "variables": vars,
				"from": *s.StopTime - n, "to": *s.StopTime, "maxDataPoints": 300}))
			query := NewQuery(tsModel("A", []string{s.ID}, vars, map[string]any{"timeMode": "lastSeconds", "lastSeconds": n}), nowRange())
			query.MaxDataPoints = 300
			frames := mustOK(t, q, query)
			f := frameFor(t, frames, ref[0])
			checkSeriesFrame(t, f, ref[0])
			// The proxy keeps the point just before the window (for the line into it); every other
			// point lies in the last N seconds.
			for i := 1; i < f.Rows(); i++ {
				at, _ := timeAt(t, f.Fields[0], i)
				if sec := float64(at.UnixNano()) / 1e9; sec < *s.StopTime-n-1e-9 {
					t.Fatalf("point %d at %v s, before stop-%v = %v", i, sec, n, *s.StopTime-n)
				}
			}
		})

		t.Run(m.name+"/dashboard mode reads the query's time range (an alerting range: what REST gives there)", func(t *testing.T) {
			s := mats[0]
			vars := varNames(trajectories(t, q, s.ID, 1))
			tr := nowRange()
			ref := okSeries(t, restQuery(t, q, map[string]any{"simulations": []string{s.ID}, "variables": vars,
				"from": float64(tr.From.UnixMilli()) / 1000, "to": float64(tr.To.UnixMilli()) / 1000, "maxDataPoints": 100}))
			frames := mustOK(t, q, NewQuery(tsModel("A", []string{s.ID}, vars, nil), tr))
			checkSeriesFrame(t, frameFor(t, frames, ref[0]), ref[0])
			if n := frames[0].Rows(); n > 2 {
				t.Errorf("%d points in an hour the run (0..%v s) never reaches", n, *s.StopTime)
			}
		})

		t.Run(m.name+"/last seconds without a number is a query error", func(t *testing.T) {
			s := mats[0]
			dr := mustResponse(t, q, NewQuery(tsModel("A", []string{s.ID}, []string{"x"}, map[string]any{"timeMode": "lastSeconds"}), nowRange()))["A"]
			if dr.Error == nil || !strings.Contains(dr.Error.Error(), "lastSeconds") {
				t.Fatalf("error %v, want one about lastSeconds", dr.Error)
			}
		})
	}

	t.Run("folder and proxy mode give the same frames for the same file", func(t *testing.T) {
		ms := modes(t)
		folder, proxy := p.With(ms[0].settings), p.With(ms[1].settings)
		mats, _ := pick(t, listSimulations(t, folder))
		for _, s := range mats[:2] {
			vars := varNames(trajectories(t, folder, s.ID, 2))
			query := NewQuery(tsModel("A", []string{s.ID}, vars, nil), runRange(s))
			query.MaxDataPoints = 400
			a, b := mustOK(t, folder, query), mustOK(t, proxy, query)
			if len(a) != len(b) {
				t.Fatalf("%s: %d frames in folder mode, %d in proxy mode", s.Path, len(a), len(b))
			}
			for i := range a {
				ja, _ := json.Marshal(a[i])
				jb, _ := json.Marshal(b[i])
				if string(ja) != string(jb) {
					t.Fatalf("%s frame %d differs:\nfolder %s\nproxy  %s", s.Path, i, clip(ja), clip(jb))
				}
			}
		}
	})
}

func deref(v any) any {
	switch x := v.(type) {
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	}
	return v
}

func fieldByName(t testing.TB, f *data.Frame, name string) *data.Field {
	t.Helper()
	for _, fl := range f.Fields {
		if fl.Name == name || (fl.Config != nil && fl.Config.DisplayNameFromDS == name) {
			return fl
		}
	}
	var names []string
	for _, fl := range f.Fields {
		names = append(names, fl.Name)
	}
	t.Fatalf("frame %q has no field %q (fields %v)", f.Name, name, names)
	return nil
}

// checkTableColumn finds the column labelled with series' run and variable in a table query's
// frames and checks it, and the frame's time column, against the REST series.
func checkTableColumn(t testing.TB, frames data.Frames, s Series) {
	t.Helper()
	for _, f := range frames {
		for k, fl := range f.Fields {
			if k == 0 || fl.Labels["simulation"] != s.SimulationName || fl.Labels["variable"] != s.ResolvedName {
				continue
			}
			checkSeriesFrame(t, &data.Frame{Name: f.Name, Fields: []*data.Field{f.Fields[0], fl}}, s)
			return
		}
	}
	t.Fatalf("no table column labelled simulation=%q variable=%q", s.SimulationName, s.ResolvedName)
}
