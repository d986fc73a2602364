package main

// Serve mode: the plugin behind the few Grafana HTTP routes a browser test harness needs, answered
// as Grafana answers them (pkg/api/ds_query.go, pkg/services/query/query.go,
// pkg/api/plugin_resource.go, pkg/api/datasources.go, pkg/plugins/httpresponsesender).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Supervisor keeps one plugin process running, restarting it when it exits on its own, as
// Grafana's plugin process manager does for managed plugins.
type Supervisor struct {
	opts Options
	log  *log.Logger

	mu       sync.Mutex
	plugin   *Plugin
	stopped  bool
	restarts int
}

// NewSupervisor launches the plugin.
func NewSupervisor(opts Options, logger *log.Logger) (*Supervisor, error) {
	p, err := Launch(opts)
	if err != nil {
		return nil, err
	}
	s := &Supervisor{opts: opts, log: logger, plugin: p}
	go s.watch()
	return s, nil
}

func (s *Supervisor) watch() {
	for {
		time.Sleep(time.Second)
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			return
		}
		if s.plugin == nil || s.plugin.Exited() {
			s.log.Printf("plugin %s exited; restarting it", s.opts.Exe)
			p, err := Launch(s.opts)
			if err != nil {
				s.log.Printf("restarting the plugin failed: %v", err)
				s.plugin = nil
			} else {
				s.plugin = p
				s.restarts++
			}
		}
		s.mu.Unlock()
	}
}

// Plugin is the running plugin, or nil (Grafana's "plugin unavailable").
func (s *Supervisor) Plugin() *Plugin {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plugin == nil || s.plugin.Exited() {
		return nil
	}
	return s.plugin
}

// Stop kills the plugin and stops restarting it.
func (s *Supervisor) Stop() {
	s.mu.Lock()
	s.stopped = true
	p := s.plugin
	s.mu.Unlock()
	if p != nil {
		p.Kill()
	}
}

// Server answers Grafana's HTTP API for the configured datasources.
type Server struct {
	Plugins *Supervisor
	// Datasources by uid.
	Datasources map[string]*backend.DataSourceInstanceSettings
	// MultiStatus answers 207 instead of 400 when a query failed (Grafana's
	// datasourceQueryMultiStatus feature toggle).
	MultiStatus bool
	Log         *log.Logger
}

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", s.apiHealth)
	mux.HandleFunc("POST /api/ds/query", s.dsQuery)
	mux.HandleFunc("GET /api/datasources/uid/{uid}/health", s.dsHealth)
	mux.HandleFunc("GET /api/datasources/uid/{uid}", s.dsGet)
	mux.HandleFunc("/api/datasources/uid/{uid}/resources/{path...}", s.dsResource)
	mux.HandleFunc("/api/datasources/uid/{uid}/resources", s.dsResource)
	return mux
}

// apiError is Grafana's response.Error body (with the error text, as in its development mode).
func apiError(w http.ResponseWriter, code int, message string, err error) {
	body := map[string]any{"message": message}
	if err != nil {
		body["error"] = err.Error()
	}
	writeJSON(w, code, body)
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

func (s *Server) apiHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"database": "ok", "version": GrafanaVersion})
}

func (s *Server) dsGet(w http.ResponseWriter, r *http.Request) {
	ds, ok := s.Datasources[r.PathValue("uid")]
	if !ok {
		apiError(w, http.StatusNotFound, "Data source not found", nil)
		return
	}
	secure := map[string]bool{}
	for k, v := range ds.DecryptedSecureJSONData {
		secure[k] = v != ""
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": ds.ID, "uid": ds.UID, "orgId": 1, "name": ds.Name, "type": ds.Type, "access": "proxy",
		"jsonData": json.RawMessage(ds.JSONData), "secureJsonFields": secure, "readOnly": true,
	})
}

// pluginError maps a plugin call failure to Grafana's answer.
func pluginError(w http.ResponseWriter, err error, fallback string) {
	switch {
	case errors.Is(err, ErrNotImplemented):
		apiError(w, http.StatusNotFound, "Not found", err)
	case status.Code(errors.Unwrap(err)) == codes.Unavailable || status.Code(err) == codes.Unavailable:
		apiError(w, http.StatusServiceUnavailable, "Plugin unavailable", err)
	default:
		apiError(w, http.StatusInternalServerError, fallback, err)
	}
}

func (s *Server) dsHealth(w http.ResponseWriter, r *http.Request) {
	ds, ok := s.Datasources[r.PathValue("uid")]
	if !ok {
		apiError(w, http.StatusNotFound, "Data source not found", nil)
		return
	}
	p := s.Plugins.Plugin()
	if p == nil {
		apiError(w, http.StatusServiceUnavailable, "Plugin unavailable", nil)
		return
	}
	req := &backend.CheckHealthRequest{PluginContext: PluginContext(ds), Headers: map[string]string{}}
	resp, err := p.CheckHealth(r.Context(), req)
	if err != nil {
		pluginError(w, err, "Plugin health check failed")
		return
	}
	payload := map[string]any{"status": resp.Status.String(), "message": resp.Message}
	if len(resp.JSONDetails) > 0 {
		var details map[string]any
		if err := json.Unmarshal(resp.JSONDetails, &details); err != nil {
			apiError(w, http.StatusInternalServerError, "Failed to unmarshal detailed response from backend plugin", err)
			return
		}
		payload["details"] = details
	}
	if resp.Status != backend.HealthStatusOk {
		writeJSON(w, http.StatusBadRequest, payload)
		return
	}
	writeJSON(w, http.StatusOK, payload)
}

var allowedResourceMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true}

// hopHeaders are removed before a request goes to a plugin (Grafana's proxyutil.PrepareProxyRequest
// and ClearCookieHeader; Grafana's own Authorization is never forwarded either).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Cookie", "Authorization"}

func (s *Server) dsResource(w http.ResponseWriter, r *http.Request) {
	ds, ok := s.Datasources[r.PathValue("uid")]
	if !ok {
		apiError(w, http.StatusNotFound, "Data source not found", nil)
		return
	}
	if !allowedResourceMethods[r.Method] {
		w.Header().Set("Allow", "DELETE, GET, PATCH, POST, PUT")
		apiError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		return
	}
	p := s.Plugins.Plugin()
	if p == nil {
		apiError(w, http.StatusServiceUnavailable, "Plugin unavailable", nil)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		apiError(w, http.StatusBadRequest, "failed to read request body", err)
		return
	}
	headers := r.Header.Clone()
	for _, h := range hopHeaders {
		headers.Del(h)
	}
	if host, _, found := strings.Cut(r.RemoteAddr, ":"); found {
		headers.Set("X-Forwarded-For", host)
	}
	path := r.PathValue("path")
	url := path
	if r.URL.RawQuery != "" {
		url += "?" + r.URL.RawQuery
	}
	req := &backend.CallResourceRequest{
		PluginContext: PluginContext(ds),
		Path:          path,
		Method:        r.Method,
		URL:           url,
		Headers:       headers,
		Body:          body,
	}
	sender := &httpSender{w: w}
	if err := p.CallResource(r.Context(), req, sender); err != nil {
		if sender.sent == 0 {
			pluginError(w, err, "Failed to call resource")
			return
		}
		s.Log.Printf("resource %s: %v (after %d messages)", path, err, sender.sent)
	}
	if sender.sent == 0 {
		// The plugin closed the stream without a message: Grafana then writes nothing, i.e. 200.
		w.WriteHeader(http.StatusOK)
	}
}

// httpSender is Grafana's httpresponsesender: headers and status from the first message, every
// body written and flushed.
type httpSender struct {
	w    http.ResponseWriter
	sent int
}

func (h *httpSender) Send(resp *backend.CallResourceResponse) error {
	if resp == nil {
		return errors.New("resp cannot be nil")
	}
	if h.sent == 0 {
		for k, values := range resp.Headers {
			k = textproto.CanonicalMIMEHeaderKey(k)
			for _, v := range values {
				h.w.Header().Add(k, v)
			}
		}
		h.w.WriteHeader(resp.Status)
	}
	if _, err := h.w.Write(resp.Body); err != nil {
		return fmt.Errorf("failed to write resource response: %v", err)
	}
	if f, ok := h.w.(http.Flusher); ok {
		f.Flush()
	}
	h.sent++
	return nil
}

// MetricRequest is Grafana's dtos.MetricRequest.
type MetricRequest struct {
	From    string            `json:"from"`
	To      string            `json:"to"`
	Queries []json.RawMessage `json:"queries"`
	Debug   bool              `json:"debug"`
}

type parsedQuery struct {
	ds    *backend.DataSourceInstanceSettings
	query backend.DataQuery
}

// datasourceOf finds a query's datasource as getDataSourceFromQuery does: datasource.uid, or
// (before Grafana 8.3) the datasource as a plain string.
func (s *Server) datasourceOf(model map[string]any) (*backend.DataSourceInstanceSettings, error) {
	var uid string
	switch ref := model["datasource"].(type) {
	case map[string]any:
		uid, _ = ref["uid"].(string)
	case string:
		uid = ref
	}
	if uid == "__expr__" || uid == "-100" {
		return nil, fmt.Errorf("expressions are not supported by this test host")
	}
	if uid == "" {
		return nil, errBadQuery("missing data source ID/UID")
	}
	if ds, ok := s.Datasources[uid]; ok {
		return ds, nil
	}
	for _, ds := range s.Datasources {
		if ds.Name == uid {
			return ds, nil
		}
	}
	return nil, errNotFound
}

type badQuery struct{ msg string }

func (e badQuery) Error() string   { return e.msg }
func errBadQuery(msg string) error { return badQuery{msg} }

var errNotFound = errors.New("data source not found")

func jsonString(model map[string]any, key, fallback string) string {
	if v, ok := model[key].(string); ok {
		return v
	}
	return fallback
}

func jsonInt(model map[string]any, key string, fallback int64) int64 {
	switch v := model[key].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		if f, err := v.Float64(); err == nil {
			return int64(f)
		}
	case float64:
		return int64(v)
	}
	return fallback
}

// parse turns Grafana's request body into DataQuery values as parseMetricRequest does: the
// request's time range, refId (default A), maxDataPoints (default 100), intervalMs (default 1000),
// queryType, and the whole query object as its JSON.
func (s *Server) parse(req MetricRequest) ([]parsedQuery, error) {
	if len(req.Queries) == 0 {
		return nil, errBadQuery("no queries found")
	}
	tr := gtime.NewTimeRange(req.From, req.To)
	timeRange := backend.TimeRange{From: tr.GetFromAsTimeUTC(), To: tr.GetToAsTimeUTC()}
	var out []parsedQuery
	for _, raw := range req.Queries {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var model map[string]any
		if err := dec.Decode(&model); err != nil {
			return nil, errBadQuery("query is not a JSON object: " + err.Error())
		}
		ds, err := s.datasourceOf(model)
		if err != nil {
			return nil, err
		}
		out = append(out, parsedQuery{ds: ds, query: backend.DataQuery{
			RefID:         jsonString(model, "refId", "A"),
			QueryType:     jsonString(model, "queryType", ""),
			MaxDataPoints: jsonInt(model, "maxDataPoints", 100),
			Interval:      time.Duration(jsonInt(model, "intervalMs", 1000)) * time.Millisecond,
			TimeRange:     timeRange,
			JSON:          raw,
		}})
	}
	return out, nil
}

func (s *Server) dsQuery(w http.ResponseWriter, r *http.Request) {
	var req MetricRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "bad request data", err)
		return
	}
	queries, err := s.parse(req)
	if err != nil {
		var bq badQuery
		switch {
		case errors.As(err, &bq):
			msg := bq.msg
			apiError(w, http.StatusBadRequest, strings.ToUpper(msg[:1])+msg[1:], err)
		case errors.Is(err, errNotFound):
			apiError(w, http.StatusNotFound, "Data source not found", err)
		default:
			apiError(w, http.StatusBadRequest, err.Error(), err)
		}
		return
	}
	p := s.Plugins.Plugin()
	if p == nil {
		apiError(w, http.StatusServiceUnavailable, "Plugin unavailable", nil)
		return
	}
	// One QueryData per datasource, in the order they first appear.
	var order []string
	byUID := map[string][]parsedQuery{}
	for _, q := range queries {
		if _, ok := byUID[q.ds.UID]; !ok {
			order = append(order, q.ds.UID)
		}
		byUID[q.ds.UID] = append(byUID[q.ds.UID], q)
	}
	merged := backend.NewQueryDataResponse()
	for _, uid := range order {
		group := byUID[uid]
		qdr := &backend.QueryDataRequest{PluginContext: PluginContext(group[0].ds), Headers: map[string]string{}}
		for _, q := range group {
			qdr.Queries = append(qdr.Queries, q.query)
		}
		resp, err := p.QueryData(r.Context(), qdr)
		if err != nil {
			if len(order) == 1 {
				pluginError(w, err, "Query data error")
				return
			}
			// Grafana's concurrent path turns a failed datasource into an error per query.
			for _, q := range group {
				merged.Responses[q.query.RefID] = backend.DataResponse{Error: err}
			}
			continue
		}
		for refID, dr := range resp.Responses {
			merged.Responses[refID] = dr
		}
	}
	code := http.StatusOK
	for _, dr := range merged.Responses {
		if dr.Error != nil {
			code = http.StatusBadRequest
			if s.MultiStatus {
				code = http.StatusMultiStatus
			}
		}
	}
	b, err := json.Marshal(merged)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "Query data error", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// LoadSettings reads serve mode's settings file: one datasource object, or a list of them.
func LoadSettings(b []byte) ([]Settings, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []Settings
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, err
		}
		return list, nil
	}
	var one Settings
	if err := json.Unmarshal(b, &one); err != nil {
		return nil, err
	}
	return []Settings{one}, nil
}

// Serve runs serve mode on ln until ctx ends, then stops the plugin.
func Serve(ctx context.Context, ln net.Listener, srv *http.Server, s *Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		s.Plugins.Stop()
		return nil
	case err := <-errc:
		s.Plugins.Stop()
		return err
	}
}
