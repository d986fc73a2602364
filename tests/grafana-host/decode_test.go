package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// everyQueryType is one query of each type and option the datasource has, for runs a and b.
func everyQueryType(t *testing.T, q *Plugin, a, b Simulation) []Query {
	t.Helper()
	va := varNames(trajectories(t, q, a.ID, 3))
	vb := varNames(trajectories(t, q, b.ID, 1))
	tr := runRange(a)
	both := []string{commonVariable(t, q, a, b)}
	models := []map[string]any{
		tsModel("TS", []string{a.ID}, va, nil),
		tsModel("TS2", []string{a.ID, b.ID}, both, nil),
		tsModel("TSW", []string{b.ID}, vb, map[string]any{"timeMode": "wholeRun"}),
		tsModel("TSL", []string{a.ID}, va, map[string]any{"timeMode": "lastSeconds", "lastSeconds": (*a.StopTime - *a.StartTime) / 3}),
		tsModel("TSR", []string{a.ID}, va[:1], map[string]any{"timeAxis": "runStart", "timeMode": "wholeRun"}),
		tsModel("TSN", []string{a.ID}, va[:1], map[string]any{"timeAxis": "numeric"}),
		tsModel("TSU", []string{a.ID}, va, map[string]any{"displayUnits": true, "legend": "{{simulation}} {{variable}} {{unit}}"}),
		tsModel("TSG", []string{a.ID}, []string{"*"}, map[string]any{"maxDataPoints": 50}),
		{"refId": "TB", "queryType": "table", "simulations": []string{a.ID}, "variables": va},
		{"refId": "TB2", "queryType": "table", "simulations": []string{a.ID, b.ID}, "variables": both},
		{"refId": "P1", "queryType": "parameters", "simulations": []string{a.ID}, "variables": []string{}},
		{"refId": "P2", "queryType": "parameters", "simulations": []string{a.ID, b.ID}, "variables": []string{}, "differsOnly": true},
		{"refId": "EV", "queryType": "events", "simulations": []string{a.ID, b.ID}, "variables": []string{}, "runBounds": true, "timeMode": "wholeRun"},
	}
	for _, table := range []string{"summary", "status", "failures", "indexing", "caches", "routes"} {
		models = append(models, map[string]any{"refId": "ST_" + table, "queryType": "stats", "statsTable": table})
	}
	var out []Query
	for _, m := range models {
		out = append(out, NewQuery(m, tr))
	}
	return out
}

// commonVariable is a trajectory both runs have (api/v1/variables over both), else "time".
func commonVariable(t *testing.T, q *Plugin, a, b Simulation) string {
	t.Helper()
	var page struct {
		Items []struct {
			Name        string   `json:"name"`
			Kind        string   `json:"kind"`
			Simulations []string `json:"simulations"`
		} `json:"items"`
	}
	rest(t, q, "GET", "api/v1/variables?simulation="+a.ID+"&simulation="+b.ID+"&kind=trajectory&limit=1000", nil, 200, &page)
	for _, v := range page.Items {
		if len(v.Simulations) == 2 && v.Kind == "trajectory" {
			return v.Name
		}
	}
	return "time"
}

var knownFieldTypes = map[data.FieldType]bool{
	data.FieldTypeTime: true, data.FieldTypeNullableTime: true,
	data.FieldTypeFloat64: true, data.FieldTypeNullableFloat64: true,
	data.FieldTypeString: true, data.FieldTypeNullableString: true,
	data.FieldTypeBool: true, data.FieldTypeNullableBool: true,
	data.FieldTypeJSON: true, data.FieldTypeNullableJSON: true,
}

// TestGrafanaDecoder decodes every frame of every query type with the SDK's own Arrow reader, as
// Grafana does, and encodes it again as Grafana does for the browser: a byte the SDK does not
// accept fails here.
func TestGrafanaDecoder(t *testing.T) {
	BackendPath(t)
	p := Start(t, folderSettings(t, sharedFixtures(t)))
	for _, m := range modes(t) {
		q := p.With(m.settings)
		mats, _ := pick(t, listSimulations(t, q))
		queries := everyQueryType(t, q, mats[0], mats[1])
		raw, err := q.QueryDataRaw(ctxTimeout(t, 120*time.Second), q.Request(queries...))
		if err != nil {
			t.Fatalf("%s: QueryData: %v", m.name, err)
		}
		for _, query := range queries {
			ref := query.RefID
			t.Run(m.name+"/"+ref+" decodes with data.UnmarshalArrowFrame", func(t *testing.T) {
				dr, ok := raw.Responses[ref]
				if !ok {
					t.Fatalf("no response for %s", ref)
				}
				if dr.Error != "" {
					t.Fatalf("query %s failed: %s", query.JSON, dr.Error)
				}
				if dr.Format != pluginv2.DataFrameFormat_ARROW {
					t.Fatalf("DataResponse.format (field 6) is %v, want ARROW", dr.Format)
				}
				if len(dr.Frames) == 0 {
					t.Fatalf("no frames")
				}
				for i, b := range dr.Frames {
					f, err := data.UnmarshalArrowFrame(b)
					if err != nil {
						t.Fatalf("frame %d: data.UnmarshalArrowFrame: %v", i, err)
					}
					checkDecodedFrame(t, ref, f)
					if strings.HasPrefix(ref, "TS") || strings.HasPrefix(ref, "TB") {
						tt := f.Fields[0].Type()
						if ref == "TSN" {
							if tt != data.FieldTypeFloat64 && tt != data.FieldTypeNullableFloat64 {
								t.Errorf("frame %q: the numeric axis is %s, want float64 seconds", f.Name, tt)
							}
						} else if tt != data.FieldTypeTime && tt != data.FieldTypeNullableTime {
							t.Errorf("frame %q: field 0 is %s, want time.Time", f.Name, tt)
						}
						for _, fl := range f.Fields[1:] {
							if vt := fl.Type(); vt != data.FieldTypeFloat64 && vt != data.FieldTypeNullableFloat64 {
								t.Errorf("frame %q: value field %q is %s, want []float64 or []*float64", f.Name, fl.Name, vt)
							}
						}
					}
					if ref == "EV" {
						tags := fieldByName(t, f, "tags")
						if tt := tags.Type(); tt != data.FieldTypeJSON && tt != data.FieldTypeNullableJSON {
							t.Errorf("events: tags is %s, want JSON", tt)
						}
						for r := 0; r < tags.Len(); r++ {
							var list []string
							raw, _ := tags.ConcreteAt(r)
							if err := json.Unmarshal(raw.(json.RawMessage), &list); err != nil {
								t.Errorf("events: tags row %d is not a list of strings: %v", r, err)
							}
						}
					}
				}
			})
		}
		t.Run(m.name+"/the whole answer converts with backend.FromProto().QueryDataResponse", func(t *testing.T) {
			if _, err := backend.FromProto().QueryDataResponse(raw); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// checkDecodedFrame checks what Grafana relies on in a decoded frame and that it survives
// Grafana's JSON encoding and an Arrow round trip unchanged.
func checkDecodedFrame(t *testing.T, ref string, f *data.Frame) {
	t.Helper()
	if f.RefID != ref {
		t.Errorf("frame %q: refId %q, want %q", f.Name, f.RefID, ref)
	}
	if len(f.Fields) == 0 {
		t.Errorf("frame %q has no fields", f.Name)
		return
	}
	rows := f.Fields[0].Len()
	for _, fl := range f.Fields {
		if !knownFieldTypes[fl.Type()] {
			t.Errorf("frame %q: field %q has type %s", f.Name, fl.Name, fl.Type())
		}
		if fl.Len() != rows {
			t.Errorf("frame %q: field %q has %d rows, field 0 has %d", f.Name, fl.Name, fl.Len(), rows)
		}
	}
	if _, err := f.RowLen(); err != nil {
		t.Errorf("frame %q: %v", f.Name, err)
	}
	js, err := data.FrameToJSON(f, data.IncludeAll)
	if err != nil {
		t.Fatalf("frame %q: data.FrameToJSON (what Grafana sends the browser): %v", f.Name, err)
	}
	var back data.Frame
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("frame %q: its JSON does not read back: %v", f.Name, err)
	}
	b, err := f.MarshalArrow()
	if err != nil {
		t.Fatalf("frame %q: MarshalArrow: %v", f.Name, err)
	}
	again, err := data.UnmarshalArrowFrame(b)
	if err != nil {
		t.Fatalf("frame %q: Arrow round trip: %v", f.Name, err)
	}
	ja, _ := data.FrameToJSON(again, data.IncludeAll)
	if string(ja) != string(js) {
		t.Errorf("frame %q changes in an SDK Arrow round trip:\nplugin %s\nSDK    %s", f.Name, clip(js), clip(ja))
	}
}

// TestDataResponseFields checks the DataResponse fields Grafana reads besides the frames, on the
// raw protobuf answer: status (field 4) and errorSource (field 5).
func TestDataResponseFields(t *testing.T) {
	BackendPath(t)
	p := Start(t, folderSettings(t, sharedFixtures(t)))
	mats, _ := pick(t, listSimulations(t, p))
	a := mats[0]
	va := varNames(trajectories(t, p, a.ID, 1))
	good := NewQuery(tsModel("A", []string{a.ID}, va, nil), runRange(a))
	bad := NewQuery(map[string]any{"refId": "B", "queryType": "nope"}, runRange(a))
	missing := NewQuery(tsModel("C", []string{"no-such-simulation-id"}, va, nil), runRange(a))
	raw, err := p.QueryDataRaw(ctxTimeout(t, 60*time.Second), p.Request(good, bad, missing))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a successful response has status 200, as every SDK plugin sends", func(t *testing.T) {
		// backend.ToProto().QueryDataResponse writes 200 when a response has no status;
		// backend.FromProto() reads a missing status (0) as StatusUnknown, 500, and Grafana's
		// /api/ds/query then answers "status": 500 for a query that worked.
		dr := raw.Responses["A"]
		if dr.Error != "" {
			t.Fatalf("unexpected error %q", dr.Error)
		}
		if dr.Status != 200 {
			t.Errorf("DataResponse.status (field 4) = %d, want 200 (the Go SDK's ToProto sends 200 for a response without status)", dr.Status)
		}
		conv, _ := backend.FromProto().QueryDataResponse(raw)
		if s := conv.Responses["A"].Status; s != backend.StatusOK {
			t.Errorf("Grafana sees the successful query A with status %d", s)
		}
	})
	for _, ref := range []string{"B", "C"} {
		t.Run(fmt.Sprintf("failed query %s has an error, a 4xx/5xx status and an error source", ref), func(t *testing.T) {
			dr := raw.Responses[ref]
			if dr.Error == "" {
				t.Fatalf("no error")
			}
			if dr.Status < 400 || dr.Status > 599 {
				t.Errorf("status %d", dr.Status)
			}
			if dr.ErrorSource != "plugin" && dr.ErrorSource != "downstream" {
				t.Errorf("errorSource %q, want plugin or downstream", dr.ErrorSource)
			}
		})
	}
	t.Run("no response for a refId that was not asked", func(t *testing.T) {
		var got []string
		for k := range raw.Responses {
			got = append(got, k)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != "A,B,C" {
			t.Errorf("responses for %v, want A,B,C", got)
		}
	})
}
