package main

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestBadInput(t *testing.T) {
	BackendPath(t)
	p := Start(t, folderSettings(t, sharedFixtures(t)))
	for _, m := range modes(t) {
		q := p.With(m.settings)
		mats, _ := pick(t, listSimulations(t, q))
		s := mats[0]
		vars := varNames(trajectories(t, q, s.ID, 1))
		goodModel := tsModel("OK", []string{s.ID}, vars, nil)
		good := NewQuery(goodModel, runRange(s))

		cases := []struct {
			name  string
			query Query
			// The error must contain each of these.
			want []string
		}{
			{"malformed query JSON", Query{RefID: "X", JSON: []byte(`{"refId":"X","queryType":"timeseries",`), MaxDataPoints: 100, TimeRange: runRange(s)}, []string{"JSON"}},
			{"query JSON that is not an object", Query{RefID: "X", JSON: []byte(`[1,2,3]`), MaxDataPoints: 100, TimeRange: runRange(s)}, nil},
			{"unknown simulation id", NewQuery(tsModel("X", []string{"no-such-simulation-42"}, vars, nil), runRange(s)), []string{"no-such-simulation-42"}},
			{"unknown variable", NewQuery(tsModel("X", []string{s.ID}, []string{"no.such.variable[3]"}, nil), runRange(s)), []string{"no.such.variable[3]"}},
			{"unknown query type", NewQuery(map[string]any{"refId": "X", "queryType": "histogram", "simulations": []string{s.ID}, "variables": vars}, runRange(s)), []string{"histogram"}},
			{"unknown stats table", NewQuery(map[string]any{"refId": "X", "queryType": "stats", "statsTable": "bogus"}, runRange(s)), []string{"bogus"}},
			{"unknown time mode", NewQuery(tsModel("X", []string{s.ID}, vars, map[string]any{"timeMode": "sometimes"}), runRange(s)), []string{"sometimes"}},
			{"simulations that are not a list", NewQuery(map[string]any{"refId": "X", "queryType": "timeseries", "simulations": s.ID, "variables": vars}, runRange(s)), []string{"simulations"}},
			{"no simulations", NewQuery(tsModel("X", []string{}, vars, nil), runRange(s)), nil},
			{"no variables", NewQuery(tsModel("X", []string{s.ID}, []string{}, nil), runRange(s)), nil},
			{"newest with an unknown setting", NewQuery(tsModel("X", []string{}, vars, map[string]any{"newest": map[string]any{"colour": "red"}}), runRange(s)), []string{"colour"}},
		}
		for _, c := range cases {
			t.Run(m.name+"/"+c.name+" is an error of that query only", func(t *testing.T) {
				r := mustResponse(t, q, c.query, good)
				bad := r[c.query.RefID]
				if bad.Error == nil {
					t.Fatalf("no error; %d frames", len(bad.Frames))
				}
				msg := bad.Error.Error()
				t.Logf("error: %s", msg)
				for _, w := range c.want {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q does not mention %q", msg, w)
					}
				}
				if len(msg) < 10 {
					t.Errorf("error %q says too little", msg)
				}
				if ok := r["OK"]; ok.Error != nil || len(ok.Frames) != 1 || ok.Frames[0].Rows() == 0 {
					t.Errorf("the good query beside it: error %v, %d frames", ok.Error, len(ok.Frames))
				}
				// And the next request works.
				if frames := mustOK(t, q, good); len(frames) != 1 {
					t.Errorf("next request: %d frames", len(frames))
				}
			})
		}
	}

	t.Run("a request with no queries answers no responses", func(t *testing.T) {
		resp, err := p.QueryData(ctxTimeout(t, 30*time.Second), &backend.QueryDataRequest{PluginContext: PluginContext(p.DS)})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Responses) != 0 {
			t.Errorf("%d responses", len(resp.Responses))
		}
	})

	t.Run("a request without datasource settings fails clearly", func(t *testing.T) {
		pc := PluginContext(nil)
		req := &backend.QueryDataRequest{PluginContext: pc, Queries: []backend.DataQuery{{RefID: "A", JSON: []byte(`{"refId":"A"}`)}}}
		resp, err := p.QueryData(ctxTimeout(t, 30*time.Second), req)
		if err == nil {
			if dr := resp.Responses["A"]; dr.Error == nil {
				t.Fatalf("no error for a query without a datasource")
			}
		}
		if res := mustHealth(t, p); res.Status != backend.HealthStatusOk {
			t.Fatalf("plugin not healthy afterwards: %s", res.Message)
		}
	})

	t.Run("a broken datasource does not affect another one in the same process", func(t *testing.T) {
		broken := p.With(Settings{UID: "broken", JSONData: []byte(`{"mode":"folder","folder":"/no/such/folder"}`)})
		mats, _ := pick(t, listSimulations(t, p))
		vars := varNames(trajectories(t, p, mats[0].ID, 1))
		dr := mustResponse(t, broken, NewQuery(tsModel("A", []string{mats[0].ID}, vars, nil), runRange(mats[0])))["A"]
		if dr.Error == nil || !strings.Contains(dr.Error.Error(), "/no/such/folder") {
			t.Errorf("broken datasource: error %v, want one naming /no/such/folder", dr.Error)
		}
		if frames := mustOK(t, p, NewQuery(tsModel("A", []string{mats[0].ID}, vars, nil), runRange(mats[0]))); len(frames) != 1 {
			t.Errorf("%d frames", len(frames))
		}
	})
}
