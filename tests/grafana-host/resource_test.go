package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func header(r *ResourceResponse, name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func TestCallResource(t *testing.T) {
	BackendPath(t)
	p := Start(t, folderSettings(t, sharedFixtures(t)))
	for _, m := range modes(t) {
		q := p.With(m.settings)

		t.Run(m.name+"/api/v1/health is the SimViz health JSON", func(t *testing.T) {
			var h Health
			resp := rest(t, q, "GET", "api/v1/health", nil, 200, &h)
			if h.Status != "ok" || h.Version == "" || h.Simulations == 0 {
				t.Errorf("health %+v", h)
			}
			if ct := header(resp, "Content-Type"); !strings.Contains(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})

		t.Run(m.name+"/api/v1/simulations lists the runs and honours the query string", func(t *testing.T) {
			all := listSimulations(t, q)
			if len(all) == 0 {
				t.Fatal("no simulations")
			}
			var page struct {
				Items []Simulation `json:"items"`
				Total int          `json:"total"`
			}
			rest(t, q, "GET", "api/v1/simulations?limit=2&sort=name&order=asc", nil, 200, &page)
			if len(page.Items) != 2 || page.Total != len(all) {
				t.Errorf("limit=2: %d items of %d, want 2 of %d", len(page.Items), page.Total, len(all))
			}
			if len(page.Items) == 2 && page.Items[0].Name > page.Items[1].Name {
				t.Errorf("sort=name: %q before %q", page.Items[0].Name, page.Items[1].Name)
			}
			for _, s := range all {
				if s.Root != "fixtures" {
					t.Errorf("%s: root %q, want fixtures", s.Path, s.Root)
				}
			}
		})

		t.Run(m.name+"/a simulation and its variables", func(t *testing.T) {
			mats, _ := pick(t, listSimulations(t, q))
			var s Simulation
			rest(t, q, "GET", "api/v1/simulations/"+mats[0].ID, nil, 200, &s)
			if s.ID != mats[0].ID || s.Path != mats[0].Path {
				t.Errorf("got %+v, want %s", s, mats[0].ID)
			}
			if vs := trajectories(t, q, s.ID, 3); len(vs) == 0 {
				t.Error("no variables")
			}
		})

		t.Run(m.name+"/POST api/v1/query with Accept application/json gives JSON series", func(t *testing.T) {
			mats, _ := pick(t, listSimulations(t, q))
			s := mats[0]
			vars := varNames(trajectories(t, q, s.ID, 1))
			series := okSeries(t, restQuery(t, q, map[string]any{"simulations": []string{s.ID}, "variables": vars, "from": 0, "to": 10, "maxDataPoints": 500}))
			if len(series) != 1 || series[0].Simulation != s.ID || series[0].Variable != vars[0] || len(series[0].Time) != len(series[0].Values) || len(series[0].Time) == 0 {
				t.Fatalf("series %+v", series)
			}
		})

		t.Run(m.name+"/unknown simulation is 404 with a JSON error", func(t *testing.T) {
			var body struct {
				Error struct {
					Code, Message string
				} `json:"error"`
			}
			rest(t, q, "GET", "api/v1/simulations/no-such-id-9", nil, 404, &body)
			if body.Error.Message == "" {
				t.Errorf("no error message")
			}
		})

		for _, path := range []string{"api/v1/no-such-route", "nothing-here", "api/v2/health", ""} {
			t.Run(m.name+"/path "+path+" is 404", func(t *testing.T) {
				resp, err := q.Get(ctxTimeout(t, 30*time.Second), path)
				if err != nil {
					t.Fatal(err)
				}
				if resp.Status != 404 {
					t.Errorf("status %d, want 404; body %s", resp.Status, clip(resp.Body))
				}
				if !json.Valid(resp.Body) {
					t.Errorf("body is not JSON: %s", clip(resp.Body))
				}
			})
		}
	}

	t.Run("a large answer arrives whole (several CallResource messages when needed)", func(t *testing.T) {
		mats, _ := pick(t, listSimulations(t, p))
		s := mats[0]
		var page struct {
			Items []Variable `json:"items"`
			Total int        `json:"total"`
		}
		resp := rest(t, p, "GET", "api/v1/simulations/"+s.ID+"/variables?limit=1000", nil, 200, &page)
		if len(page.Items) == 0 {
			t.Fatalf("no variables")
		}
		t.Logf("%d bytes in %d messages", len(resp.Body), resp.Messages)
	})
}

type packetCollector struct{ packets chan []byte }

func (c *packetCollector) Send(p *backend.StreamPacket) error {
	c.packets <- append([]byte(nil), p.Data...)
	return nil
}

func TestStream(t *testing.T) {
	BackendPath(t)
	p := Start(t, folderSettings(t, sharedFixtures(t)))
	for _, m := range modes(t) {
		q := p.With(m.settings)
		pc := PluginContext(q.DS)

		t.Run(m.name+"/SubscribeStream catalog is OK", func(t *testing.T) {
			resp, err := q.SubscribeStream(ctxTimeout(t, 30*time.Second), &backend.SubscribeStreamRequest{PluginContext: pc, Path: "catalog"})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != backend.SubscribeStreamStatusOK {
				t.Errorf("status %v, want OK", resp.Status)
			}
		})

		t.Run(m.name+"/SubscribeStream of another path is NOT_FOUND", func(t *testing.T) {
			resp, err := q.SubscribeStream(ctxTimeout(t, 30*time.Second), &backend.SubscribeStreamRequest{PluginContext: pc, Path: "no-such-channel"})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != backend.SubscribeStreamStatusNotFound {
				t.Errorf("status %v, want NOT_FOUND (1)", resp.Status)
			}
		})

		t.Run(m.name+"/PublishStream is refused", func(t *testing.T) {
			resp, err := q.PublishStream(ctxTimeout(t, 30*time.Second), &backend.PublishStreamRequest{PluginContext: pc, Path: "catalog", Data: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status == backend.PublishStreamStatusOK {
				t.Errorf("publishing to catalog was accepted")
			}
		})

		t.Run(m.name+"/RunStream catalog sends a frame with the simulation count and ends when cancelled", func(t *testing.T) {
			want := restHealth(t, q).Simulations
			ctx, cancel := contextWithCancel(t, 60*time.Second)
			c := &packetCollector{packets: make(chan []byte, 16)}
			done := make(chan error, 1)
			go func() {
				done <- q.RunStream(ctx, &backend.RunStreamRequest{PluginContext: pc, Path: "catalog"}, backend.NewStreamSender(c))
			}()
			var packet []byte
			select {
			case packet = <-c.packets:
			case err := <-done:
				t.Fatalf("RunStream ended before a packet: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatal("no packet within 30 s")
			}
			var f data.Frame
			if err := json.Unmarshal(packet, &f); err != nil {
				t.Fatalf("packet is not frame JSON (%v): %s", err, clip(packet))
			}
			n, ok := floatAt(t, fieldByName(t, &f, "Simulations"), 0)
			if !ok || int(n) != want {
				t.Errorf("Simulations %v, REST health says %d; packet %s", n, want, clip(packet))
			}
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("RunStream did not end within 10 s of cancelling")
			}
		})

		t.Run(m.name+"/RunStream of another path sends nothing and ends", func(t *testing.T) {
			ctx, cancel := contextWithCancel(t, 30*time.Second)
			defer cancel()
			c := &packetCollector{packets: make(chan []byte, 16)}
			done := make(chan error, 1)
			go func() {
				done <- q.RunStream(ctx, &backend.RunStreamRequest{PluginContext: pc, Path: "no-such-channel"}, backend.NewStreamSender(c))
			}()
			select {
			case <-done:
			case b := <-c.packets:
				t.Fatalf("a packet on an unknown channel: %s", clip(b))
			case <-time.After(10 * time.Second):
				t.Fatal("RunStream of an unknown path still runs after 10 s")
			}
		})
	}
}
