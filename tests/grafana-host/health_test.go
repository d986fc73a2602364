package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

type mode struct {
	name     string
	settings Settings
}

// modes are the two ways a SimViz datasource reads results, over the same files with the same ids.
func modes(t *testing.T) []mode {
	t.Helper()
	return []mode{
		{"folder", folderSettings(t, sharedFixtures(t))},
		{"proxy", proxySettings(sharedProxy(t).URL, sharedKey, nil)},
	}
}

func mustHealth(t *testing.T, p *Plugin) *backend.CheckHealthResult {
	t.Helper()
	res, err := p.Health(ctxTimeout(t, 60*time.Second))
	if err != nil {
		t.Fatalf("CheckHealth: %v", err)
	}
	return res
}

func restHealth(t *testing.T, p *Plugin) Health {
	t.Helper()
	var h Health
	rest(t, p, "GET", "api/v1/health", nil, 200, &h)
	return h
}

func TestCheckHealth(t *testing.T) {
	BackendPath(t)
	p := Start(t, folderSettings(t, sharedFixtures(t)))

	for _, m := range modes(t) {
		t.Run(m.name+" mode OK with version and simulation count", func(t *testing.T) {
			q := p.With(m.settings)
			h := restHealth(t, q)
			res := mustHealth(t, q)
			if res.Status != backend.HealthStatusOk {
				t.Fatalf("status %s, want OK; message %q", res.Status, res.Message)
			}
			if h.Version == "" || !strings.Contains(res.Message, h.Version) {
				t.Errorf("message %q does not name the version %q", res.Message, h.Version)
			}
			count := fmt.Sprintf("%d simulation", h.Simulations)
			if !strings.Contains(res.Message, count) {
				t.Errorf("message %q does not give the simulation count (%q)", res.Message, count)
			}
			if n := len(listSimulations(t, q)); n != h.Simulations {
				t.Errorf("api/v1/health counts %d simulations, the listing has %d", h.Simulations, n)
			}
		})
	}

	t.Run("folder mode with a missing folder is ERROR naming the folder", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "no-such-results")
		res := mustHealth(t, p.With(folderSettings(t, missing)))
		if res.Status != backend.HealthStatusError {
			t.Fatalf("status %s, want ERROR; message %q", res.Status, res.Message)
		}
		if !strings.Contains(res.Message, missing) {
			t.Errorf("message %q does not name the folder %s", res.Message, missing)
		}
	})

	t.Run("folder mode with a relative folder is ERROR", func(t *testing.T) {
		res := mustHealth(t, p.With(folderSettings(t, "results/relative")))
		if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "results/relative") {
			t.Fatalf("got %s %q, want ERROR naming results/relative", res.Status, res.Message)
		}
	})

	t.Run("proxy mode with an unreachable proxy is ERROR naming the URL", func(t *testing.T) {
		url := "http://" + closedPort(t)
		start := time.Now()
		res := mustHealth(t, p.With(proxySettings(url, "k", nil)))
		if res.Status != backend.HealthStatusError {
			t.Fatalf("status %s, want ERROR; message %q", res.Status, res.Message)
		}
		if !strings.Contains(res.Message, url) {
			t.Errorf("message %q does not name %s", res.Message, url)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("took %v to find a closed port", d)
		}
	})

	t.Run("proxy mode with a rejected API key is ERROR about the key", func(t *testing.T) {
		res := mustHealth(t, p.With(proxySettings(sharedProxy(t).URL, "not-the-key", nil)))
		if res.Status != backend.HealthStatusError {
			t.Fatalf("status %s, want ERROR; message %q", res.Status, res.Message)
		}
		if !strings.Contains(strings.ToLower(res.Message), "key") {
			t.Errorf("message %q does not say the key was rejected", res.Message)
		}
	})

	t.Run("proxy mode without an API key where one is needed is ERROR about the key", func(t *testing.T) {
		res := mustHealth(t, p.With(proxySettings(sharedProxy(t).URL, "", nil)))
		if res.Status != backend.HealthStatusError || !strings.Contains(strings.ToLower(res.Message), "key") {
			t.Fatalf("got %s %q, want ERROR about the key", res.Status, res.Message)
		}
	})

	t.Run("proxy mode against something that is not a SimViz proxy is ERROR naming the URL", func(t *testing.T) {
		hello := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(200)
			_, _ = w.Write([]byte("hello"))
		}))
		defer hello.Close()
		res := mustHealth(t, p.With(proxySettings(hello.URL, "k", nil)))
		if res.Status != backend.HealthStatusError {
			t.Fatalf("status %s, want ERROR; message %q", res.Status, res.Message)
		}
		if !strings.Contains(res.Message, hello.URL) {
			t.Errorf("message %q does not name %s", res.Message, hello.URL)
		}
	})

	t.Run("proxy mode with no proxy URL is ERROR", func(t *testing.T) {
		res := mustHealth(t, p.With(Settings{UID: "no-url", JSONData: mustJSON(map[string]any{"mode": "proxy"})}))
		if res.Status != backend.HealthStatusError || res.Message == "" {
			t.Fatalf("got %s %q, want ERROR with a message", res.Status, res.Message)
		}
	})

	t.Run("settings that are not JSON are ERROR", func(t *testing.T) {
		res := mustHealth(t, p.With(Settings{UID: "bad-json", JSONData: []byte("{nope")}))
		if res.Status != backend.HealthStatusError || res.Message == "" {
			t.Fatalf("got %s %q, want ERROR with a message", res.Status, res.Message)
		}
	})

	t.Run("after all that the plugin still answers OK", func(t *testing.T) {
		if res := mustHealth(t, p); res.Status != backend.HealthStatusOk {
			t.Fatalf("status %s %q", res.Status, res.Message)
		}
	})
}
