package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// The regression check as Grafana runs it: the Dymola run of FallingBodyBox against the
// OpenModelica-style CSV of the same model (they agree within 3.6e-6, see SOURCES.md), decoded by
// the SDK. The band's field config and the annotations' data topic must reach Grafana intact.

type regressionVariable struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Checked int    `json:"checked"`
	Plot    *struct {
		Run   plotSeries `json:"run"`
		Lower plotSeries `json:"lower"`
		Upper plotSeries `json:"upper"`
	} `json:"plot"`
}

type plotSeries struct {
	Time   []float64  `json:"time"`
	Values []*float64 `json:"values"`
}

type regressionResult struct {
	Passed    bool                 `json:"passed"`
	Reference string               `json:"reference"`
	Variables []regressionVariable `json:"variables"`
}

func regressionFolder(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	hourAgo := time.Now().Add(-time.Hour)
	copyFixture(t, "FallingBodyBox_res.csv", dir, "reference.csv", hourAgo)
	run := copyFixture(t, "dymola2021_fallingbodybox.mat", dir, "run.mat", hourAgo)
	if err := os.WriteFile(run+".json", []byte(`{"reference": "reference.csv", "tags": ["nightly"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func regressionModel(refID, run, view string, extra map[string]any) map[string]any {
	m := tsModel(refID, []string{run}, []string{"bodyBox.frame_a.r_0[1]"}, map[string]any{"queryType": "regression", "regressionView": view})
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestRegression(t *testing.T) {
	BackendPath(t)
	dir := regressionFolder(t)
	p := Start(t, folderSettings(t, "lab="+dir))
	var run Simulation
	for _, s := range listSimulations(t, p) {
		if s.Path == "run.mat" {
			run = s
		}
	}
	if run.ID == "" {
		t.Fatalf("run.mat is not listed in %s", dir)
	}

	t.Run("plot: curves and the tube as Grafana's band, the same values as the REST answer", func(t *testing.T) {
		var ref regressionResult
		rest(t, p, "POST", "api/v1/simulations/"+run.ID+"/compare", map[string]any{
			"variables": []string{"bodyBox.frame_a.r_0[1]"}, "plot": map[string]any{"maxDataPoints": 300},
		}, 200, &ref)
		if !ref.Passed || len(ref.Variables) != 1 || ref.Variables[0].Status != "pass" {
			t.Fatalf("the Dymola run should pass against the CSV of the same model: %+v", ref)
		}
		query := NewQuery(regressionModel("A", run.ID, "plot", map[string]any{"timeMode": "wholeRun"}), runRange(run))
		query.MaxDataPoints = 300
		frames := mustOK(t, p, query)
		byName := map[string]*data.Frame{}
		for _, f := range frames {
			byName[f.Name] = f
		}
		name := "bodyBox.frame_a.r_0[1]"
		for _, role := range []string{"run", "reference", "lower", "upper"} {
			if byName[name+" "+role] == nil {
				t.Fatalf("no frame %q among %d frames", name+" "+role, len(frames))
			}
		}
		upper := byName[name+" upper"].Fields[1]
		if upper.Config == nil || upper.Config.Custom["fillBelowTo"] != name+" lower" {
			t.Errorf("the upper bound must fill down to the lower: config %+v", upper.Config)
		}
		runField := byName[name+" run"].Fields[1]
		want := ref.Variables[0].Plot.Run
		if runField.Len() != len(want.Values) {
			t.Fatalf("run frame has %d points, REST %d", runField.Len(), len(want.Values))
		}
		for i, v := range want.Values {
			got, _ := runField.ConcreteAt(i)
			if v != nil && math.Abs(got.(float64)-*v) > 1e-12 {
				t.Fatalf("run point %d: frame %v, REST %v", i, got, *v)
			}
		}
		annotations := byName["Failing intervals"]
		if annotations == nil || annotations.Meta == nil || annotations.Meta.DataTopic != data.DataTopicAnnotations {
			t.Fatalf("failing intervals must be an annotations frame: %+v", annotations)
		}
		if annotations.Rows() != 0 {
			t.Errorf("a passing run has no failing intervals, got %d", annotations.Rows())
		}
	})

	t.Run("a tube too tight fails, with the intervals as region annotations", func(t *testing.T) {
		tight := map[string]any{"regressionTolerances": map[string]any{"relative": 0, "absolute": 1e-12, "time": 0}, "timeMode": "wholeRun"}
		frames := mustOK(t, p, NewQuery(regressionModel("A", run.ID, "plot", tight), runRange(run)))
		var annotations *data.Frame
		for _, f := range frames {
			if f.Meta != nil && f.Meta.DataTopic == data.DataTopicAnnotations {
				annotations = f
			}
		}
		if annotations == nil || annotations.Rows() == 0 {
			t.Fatalf("float32 Dymola values cannot stay within 1e-12 of the CSV: expected failing intervals")
		}
		start, _ := timeAt(t, annotations.Fields[0], 0)
		end, _ := timeAt(t, annotations.Fields[1], 0)
		if end.Before(start) {
			t.Errorf("interval ends (%v) before it starts (%v)", end, start)
		}
	})

	t.Run("variables and alert status tables", func(t *testing.T) {
		table := mustOK(t, p, NewQuery(regressionModel("A", run.ID, "variables", map[string]any{"variables": []string{"*"}}), nowRange()))
		if len(table) != 1 || table[0].Fields[0].Name != "Variable" {
			t.Fatalf("variables view: want one table, got %d frames", len(table))
		}
		if table[0].Rows() < 5 {
			t.Errorf("every trajectory of either side is listed: got %d rows", table[0].Rows())
		}
		status := mustOK(t, p, NewQuery(regressionModel("B", run.ID, "runStatus", map[string]any{"simulations": []string{}, "regressionRuns": map[string]any{"tag": "nightly"}}), nowRange()))
		if len(status) != 1 || status[0].Rows() != 1 {
			t.Fatalf("runStatus: want one row (the run tagged nightly), got %+v", status)
		}
		numeric := 0
		for _, f := range status[0].Fields {
			if f.Type().Numeric() {
				numeric++
			}
		}
		if numeric != 1 {
			t.Errorf("an alert rule needs exactly one number per row, got %d numeric fields", numeric)
		}
		failing, _ := status[0].Fields[2].ConcreteAt(0)
		if failing.(float64) != 0 {
			t.Errorf("the run passes for its one variable: failing %v", failing)
		}
	})

	t.Run("no reference is that query's own error; the next query still runs", func(t *testing.T) {
		var page struct {
			Items []Simulation `json:"items"`
		}
		rest(t, p, "GET", "api/v1/simulations?search=reference", nil, 200, &page)
		bad := NewQuery(regressionModel("A", page.Items[0].ID, "plot", nil), nowRange())
		good := NewQuery(regressionModel("B", run.ID, "variables", nil), nowRange())
		responses := mustResponse(t, p, bad, good)
		if responses["A"].Error == nil {
			t.Fatalf("a run with no reference must fail its query")
		}
		if responses["B"].Error != nil || len(responses["B"].Frames) != 1 {
			t.Fatalf("the other query must still answer: %v", responses["B"].Error)
		}
	})

	t.Run("set reference through the resource route keeps the sidecar's other fields", func(t *testing.T) {
		var page struct {
			Items []Simulation `json:"items"`
		}
		rest(t, p, "GET", "api/v1/simulations?search=reference", nil, 200, &page)
		ctx := ctxTimeout(t, 30*time.Second)
		body, _ := json.Marshal(map[string]any{"referenceId": page.Items[0].ID})
		resp, err := p.Resource(ctx, p.DS, "PUT", "api/v1/simulations/"+run.ID+"/reference", map[string][]string{"Content-Type": {"application/json"}}, body)
		if err != nil || resp.Status != 200 {
			t.Fatalf("PUT reference: %v %+v", err, resp)
		}
		raw, err := os.ReadFile(filepath.Join(dir, "run.mat.json"))
		if err != nil {
			t.Fatal(err)
		}
		var sidecar map[string]any
		if err := json.Unmarshal(raw, &sidecar); err != nil || sidecar["reference"] != "reference.csv" || sidecar["tags"] == nil {
			t.Fatalf("sidecar after PUT: %s (%v)", raw, err)
		}
	})
}

// In both modes over the shared fixtures: a reference given by id (no sidecar there), the Dymola
// run against the CSV of the same model, as the same table through QueryData as through REST.
func TestRegressionBothModes(t *testing.T) {
	BackendPath(t)
	p := Start(t, folderSettings(t, sharedFixtures(t)))
	for _, m := range modes(t) {
		q := p.With(m.settings)
		t.Run(m.name, func(t *testing.T) {
			var run, reference string
			for _, s := range listSimulations(t, q) {
				switch s.Path {
				case "dymola2021_fallingbodybox.mat":
					run = s.ID
				case "FallingBodyBox_res.csv":
					reference = s.ID
				}
			}
			if run == "" || reference == "" {
				t.Fatalf("fixtures missing: run %q reference %q", run, reference)
			}
			var ref regressionResult
			rest(t, q, "POST", "api/v1/simulations/"+run+"/compare", map[string]any{"referenceId": reference}, 200, &ref)
			model := regressionModel("A", run, "variables", map[string]any{"variables": []string{}, "referenceId": reference})
			table := mustOK(t, q, NewQuery(model, nowRange()))
			if len(table) != 1 || table[0].Rows() != len(ref.Variables) {
				t.Fatalf("variables view: %d frames; REST lists %d variables", len(table), len(ref.Variables))
			}
			for i, v := range ref.Variables {
				name, _ := table[0].Fields[0].ConcreteAt(i)
				result, _ := table[0].Fields[1].ConcreteAt(i)
				if name != v.Name || (v.Status != "missing" && result != v.Status) {
					t.Errorf("row %d: %v %v, REST %s %s", i, name, result, v.Name, v.Status)
				}
			}
		})
	}
}
