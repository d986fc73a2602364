// Package main is a stand-in for Grafana's backend plugin manager: it launches the SimViz
// backend executable the way Grafana does (hashicorp/go-plugin, gRPC only, protocol 2, the SDK's
// grpcplugin clients) and talks to it through the SDK's own protobuf conversions, so a test that
// passes here exercises the bytes Grafana itself would send and decode. It is test code: the
// plugin under test is the TypeScript backend, never Go.
//
// The facts copied from Grafana (pkg/plugins/backendplugin/grpcplugin: client.go, client_v2.go,
// grpc_plugin.go; pkg/services/pluginsintegration/pluginconfig/envvars.go):
//   - handshake: ProtocolVersion 2, MagicCookieKey grafana_plugin_type, MagicCookieValue datasource;
//   - VersionedPlugins {2: diagnostics, resource, data, stream} with the SDK's *GRPCPlugin types
//     (Grafana also lists admission, conversion, renderer and secretsmanager; the first two do not
//     exist in SDK v0.300.0 and the last two are not datasource services);
//   - AllowedProtocols gRPC only, no AutoMTLS, SkipHostEnv false (Grafana's default: go-plugin
//     appends os.Environ() to the plugin's environment);
//   - env GF_VERSION, GF_EDITION, GF_ENTERPRISE_LICENSE_PATH, GF_ENTERPRISE_APP_URL;
//   - Start: client.Client(), NegotiatedVersion() >= 2, Dispense each service;
//   - Stop: client.Kill().
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/backend/useragent"
	"github.com/grafana/grafana-plugin-sdk-go/config"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	// PluginID is the datasource's id in plugin.json.
	PluginID = "simviz-simulation-datasource"
	// PluginType is the datasource type Grafana puts in a query's datasource reference.
	PluginType = PluginID
	// GrafanaVersion is what this stand-in reports itself as (GF_VERSION, the user agent).
	GrafanaVersion = "12.3.0"
	// GrafanaAppURL is the root URL this stand-in pretends Grafana has.
	GrafanaAppURL = "http://localhost:3000/"
)

// handshake is Grafana's go-plugin handshake, built from the SDK's constants as Grafana builds it.
var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  grpcplugin.ProtocolVersion,
	MagicCookieKey:   grpcplugin.MagicCookieKey,
	MagicCookieValue: grpcplugin.MagicCookieValue,
}

// versionedPlugins is the plugin set Grafana offers for protocol 2, limited to what SDK v0.300.0 has.
func versionedPlugins() map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"data":        &grpcplugin.DataGRPCPlugin{},
			"stream":      &grpcplugin.StreamGRPCPlugin{},
		},
	}
}

// GrafanaEnv is the environment Grafana's EnvVarsProvider gives an OSS datasource plugin with
// tracing off, no feature toggles forwarded and no [plugin.<id>] settings. go-plugin appends the
// host's own environment (os.Environ()) and its PLUGIN_* variables and the magic cookie to it.
func GrafanaEnv() []string {
	return []string{
		"GF_VERSION=" + GrafanaVersion,
		"GF_EDITION=Open Source",
		"GF_ENTERPRISE_LICENSE_PATH=",
		"GF_ENTERPRISE_APP_URL=" + GrafanaAppURL,
	}
}

// Settings is one datasource as Grafana stores it: the settings file of serve mode has this shape.
type Settings struct {
	UID            string            `json:"uid"`
	Name           string            `json:"name"`
	JSONData       json.RawMessage   `json:"jsonData"`
	SecureJSONData map[string]string `json:"secureJsonData"`
	// Updated is the datasource's last save (LastUpdatedMS); zero means "when first used".
	Updated time.Time `json:"-"`
}

// Instance is the DataSourceInstanceSettings Grafana's plugin context provider builds from s.
func (s Settings) Instance() *backend.DataSourceInstanceSettings {
	uid := s.UID
	if uid == "" {
		uid = "simviz-test"
	}
	name := s.Name
	if name == "" {
		name = "SimViz"
	}
	updated := s.Updated
	if updated.IsZero() {
		updated = time.Now()
	}
	jsonData := []byte(s.JSONData)
	if len(jsonData) == 0 {
		jsonData = []byte("{}")
	}
	secure := s.SecureJSONData
	if secure == nil {
		secure = map[string]string{}
	}
	return &backend.DataSourceInstanceSettings{
		ID:                      1,
		UID:                     uid,
		Type:                    PluginType,
		Name:                    name,
		JSONData:                jsonData,
		DecryptedSecureJSONData: secure,
		Updated:                 updated,
		APIVersion:              "",
	}
}

// PluginContext is what Grafana sends with every call for datasource s, as user admin of org 1.
func PluginContext(s *backend.DataSourceInstanceSettings) backend.PluginContext {
	ua, _ := useragent.New(GrafanaVersion, "linux", "amd64")
	return backend.PluginContext{
		OrgID:                      1,
		PluginID:                   PluginID,
		PluginVersion:              "",
		User:                       &backend.User{Login: "admin", Name: "admin", Email: "admin@localhost", Role: "Admin"},
		DataSourceInstanceSettings: s,
		GrafanaConfig: config.NewGrafanaCfg(map[string]string{
			"GF_APP_URL":                   GrafanaAppURL,
			"GF_CONCURRENT_QUERY_COUNT":    "10",
			"GF_USER_FACING_DEFAULT_ERROR": "Please inspect the Grafana server log for details.",
		}),
		UserAgent: ua,
	}
}

// LogBuffer collects the host's hclog output (the plugin's stderr, parsed by go-plugin) as JSON lines.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	tee io.Writer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tee != nil {
		_, _ = b.tee.Write(p)
	}
	return b.buf.Write(p)
}

// String is everything logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// LogEntry is one line of the host's JSON log.
type LogEntry map[string]any

// Entries parses the log lines; a line that is not JSON is returned as {"@message": line}.
func (b *LogBuffer) Entries() []LogEntry {
	var out []LogEntry
	for _, line := range bytes.Split([]byte(b.String()), []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e LogEntry
		if err := json.Unmarshal(line, &e); err != nil {
			e = LogEntry{"@message": string(line)}
		}
		out = append(out, e)
	}
	return out
}

// Options for Launch.
type Options struct {
	// Exe is the plugin executable (gpx_simviz_linux_amd64).
	Exe string
	// Env is added before go-plugin's own variables; nil means GrafanaEnv().
	Env []string
	// LogTee also receives the host log (e.g. os.Stderr); nil for none.
	LogTee io.Writer
	// StartTimeout bounds the handshake; zero is go-plugin's default (one minute).
	StartTimeout time.Duration
}

// Plugin is a running backend plugin, seen through the SDK's client wrappers as Grafana sees it.
type Plugin struct {
	Exe  string
	Logs *LogBuffer
	// DS is the datasource the helpers (Health, Query, Get, Post) send; With gives another.
	DS     *backend.DataSourceInstanceSettings
	client *goplugin.Client

	diagnostics grpcplugin.DiagnosticsClient
	resource    grpcplugin.ResourceClient
	data        grpcplugin.DataClient
	stream      grpcplugin.StreamClient
}

// ErrNotImplemented is returned when the plugin did not offer a service (Grafana's plugins.ErrMethodNotImplemented).
var ErrNotImplemented = errors.New("method not implemented")

// Launch starts the executable and performs go-plugin's handshake, as Grafana's grpcPlugin.Start does.
func Launch(opts Options) (*Plugin, error) {
	exe, err := filepath.Abs(opts.Exe)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(exe); err != nil {
		return nil, fmt.Errorf("plugin executable: %w", err)
	}
	env := opts.Env
	if env == nil {
		env = GrafanaEnv()
	}
	logs := &LogBuffer{tee: opts.LogTee}
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "plugin." + PluginID,
		Level:      hclog.Trace,
		Output:     logs,
		JSONFormat: true,
	})
	cmd := exec.Command(exe)
	cmd.Env = env
	client := goplugin.NewClient(&goplugin.ClientConfig{
		Cmd:              cmd,
		HandshakeConfig:  handshake,
		VersionedPlugins: versionedPlugins(),
		SkipHostEnv:      false,
		Logger:           logger,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		StartTimeout:     opts.StartTimeout,
	})
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("starting %s: %w\nhost log:\n%s", exe, err, logs.String())
	}
	if client.NegotiatedVersion() < 2 {
		client.Kill()
		return nil, errors.New("plugin protocol version not supported")
	}
	p := &Plugin{Exe: exe, Logs: logs, client: client}
	dispense := func(name string) any {
		raw, derr := rpcClient.Dispense(name)
		if derr != nil && err == nil {
			err = fmt.Errorf("dispense %s: %w", name, derr)
		}
		return raw
	}
	if c, ok := dispense("diagnostics").(grpcplugin.DiagnosticsClient); ok {
		p.diagnostics = c
	}
	if c, ok := dispense("resource").(grpcplugin.ResourceClient); ok {
		p.resource = c
	}
	if c, ok := dispense("data").(grpcplugin.DataClient); ok {
		p.data = c
	}
	if c, ok := dispense("stream").(grpcplugin.StreamClient); ok {
		p.stream = c
	}
	if err != nil {
		client.Kill()
		return nil, err
	}
	return p, nil
}

// Kill stops the plugin as Grafana's Stop does: go-plugin asks it to shut down (the controller's
// Shutdown), waits up to two seconds, then kills the process.
func (p *Plugin) Kill() { p.client.Kill() }

// Exited reports whether the plugin process has ended.
func (p *Plugin) Exited() bool { return p.client.Exited() }

// PID is the plugin process's id.
func (p *Plugin) PID() int {
	if rc := p.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Client is the go-plugin client (for tests that need it).
func (p *Plugin) Client() *goplugin.Client { return p.client }

// CheckHealth is Grafana's ClientV2.CheckHealth.
func (p *Plugin) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if p.diagnostics == nil {
		return nil, ErrNotImplemented
	}
	protoReq := &pluginv2.CheckHealthRequest{PluginContext: backend.ToProto().PluginContext(req.PluginContext), Headers: req.Headers}
	protoResp, err := p.diagnostics.CheckHealth(ctx, protoReq)
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			return &backend.CheckHealthResult{Status: backend.HealthStatusUnknown, Message: "Health check not implemented"}, nil
		}
		return nil, err
	}
	return backend.FromProto().CheckHealthResponse(protoResp), nil
}

// CollectMetrics is Grafana's ClientV2.CollectMetrics.
func (p *Plugin) CollectMetrics(ctx context.Context, req *backend.CollectMetricsRequest) (*backend.CollectMetricsResult, error) {
	if p.diagnostics == nil {
		return &backend.CollectMetricsResult{}, nil
	}
	protoResp, err := p.diagnostics.CollectMetrics(ctx, backend.ToProto().CollectMetricsRequest(req))
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			return &backend.CollectMetricsResult{}, nil
		}
		return nil, err
	}
	return backend.FromProto().CollectMetricsResponse(protoResp), nil
}

// QueryData is Grafana's ClientV2.QueryData: the SDK's conversions both ways, so the frames are
// decoded by data.UnmarshalArrowFrames exactly as in Grafana.
func (p *Plugin) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	if p.data == nil {
		return nil, ErrNotImplemented
	}
	protoResp, err := p.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			return nil, ErrNotImplemented
		}
		return nil, fmt.Errorf("Failed to query data: %w", err)
	}
	return backend.FromProto().QueryDataResponse(protoResp)
}

// QueryDataRaw returns the protobuf answer undecoded (to check bytes and fields one by one).
func (p *Plugin) QueryDataRaw(ctx context.Context, req *backend.QueryDataRequest) (*pluginv2.QueryDataResponse, error) {
	if p.data == nil {
		return nil, ErrNotImplemented
	}
	return p.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
}

// CallResource is Grafana's ClientV2.CallResource.
func (p *Plugin) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	if p.resource == nil {
		return ErrNotImplemented
	}
	protoStream, err := p.resource.CallResource(ctx, backend.ToProto().CallResourceRequest(req))
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			return ErrNotImplemented
		}
		return fmt.Errorf("Failed to call resource: %w", err)
	}
	for {
		protoResp, err := protoStream.Recv()
		if err != nil {
			if status.Code(err) == codes.Unimplemented {
				return ErrNotImplemented
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("failed to receive call resource response: %w", err)
		}
		if err := sender.Send(backend.FromProto().CallResourceResponse(protoResp)); err != nil {
			return err
		}
	}
}

// SubscribeStream is Grafana's ClientV2.SubscribeStream.
func (p *Plugin) SubscribeStream(ctx context.Context, req *backend.SubscribeStreamRequest) (*backend.SubscribeStreamResponse, error) {
	if p.stream == nil {
		return nil, ErrNotImplemented
	}
	protoResp, err := p.stream.SubscribeStream(ctx, backend.ToProto().SubscribeStreamRequest(req))
	if err != nil {
		return nil, err
	}
	return backend.FromProto().SubscribeStreamResponse(protoResp), nil
}

// PublishStream is Grafana's ClientV2.PublishStream.
func (p *Plugin) PublishStream(ctx context.Context, req *backend.PublishStreamRequest) (*backend.PublishStreamResponse, error) {
	if p.stream == nil {
		return nil, ErrNotImplemented
	}
	protoResp, err := p.stream.PublishStream(ctx, backend.ToProto().PublishStreamRequest(req))
	if err != nil {
		return nil, err
	}
	return backend.FromProto().PublishStreamResponse(protoResp), nil
}

// RunStream is Grafana's ClientV2.RunStream: every packet goes to sender.SendJSON, which rejects
// anything that is not JSON.
func (p *Plugin) RunStream(ctx context.Context, req *backend.RunStreamRequest, sender *backend.StreamSender) error {
	if p.stream == nil {
		return ErrNotImplemented
	}
	protoStream, err := p.stream.RunStream(ctx, backend.ToProto().RunStreamRequest(req))
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			return ErrNotImplemented
		}
		return fmt.Errorf("Failed to call resource: %w", err)
	}
	for {
		packet, err := protoStream.Recv()
		if err != nil {
			if status.Code(err) == codes.Unimplemented {
				return ErrNotImplemented
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("error running stream: %w", err)
		}
		if err := sender.SendJSON(packet.Data); err != nil {
			return err
		}
	}
}

// ResourceResponse is a CallResource answer put together from its stream of messages.
type ResourceResponse struct {
	Status  int
	Headers map[string][]string
	Body    []byte
	// Messages is how many CallResourceResponse messages made it up.
	Messages int
}

// resourceCollector is a CallResourceResponseSender that keeps the first message's status and
// headers and concatenates the bodies, as Grafana's httpresponsesender writes them.
type resourceCollector struct{ resp ResourceResponse }

func (c *resourceCollector) Send(r *backend.CallResourceResponse) error {
	if c.resp.Messages == 0 {
		c.resp.Status = r.Status
		c.resp.Headers = r.Headers
	}
	c.resp.Body = append(c.resp.Body, r.Body...)
	c.resp.Messages++
	return nil
}

// Resource calls CallResource with Grafana's request shape: Path without the leading slash, URL
// as path plus query string, the request headers, and the body.
func (p *Plugin) Resource(ctx context.Context, s *backend.DataSourceInstanceSettings, method, pathAndQuery string, headers map[string][]string, body []byte) (*ResourceResponse, error) {
	path := pathAndQuery
	if i := strings.IndexByte(pathAndQuery, '?'); i >= 0 {
		path = pathAndQuery[:i]
	}
	if headers == nil {
		headers = map[string][]string{}
	}
	req := &backend.CallResourceRequest{
		PluginContext: PluginContext(s),
		Path:          path,
		Method:        method,
		URL:           pathAndQuery,
		Headers:       headers,
		Body:          body,
	}
	c := &resourceCollector{}
	if err := p.CallResource(ctx, req, c); err != nil {
		return nil, err
	}
	return &c.resp, nil
}

// Start launches the executable named by SIMVIZ_BACKEND (skipping the test when it does not exist)
// with settings as its default datasource, and kills it when the test ends. When the test failed,
// the host log (with the plugin's own log lines) is printed.
func Start(t testing.TB, settings Settings) *Plugin {
	t.Helper()
	exe := BackendPath(t)
	p, err := Launch(Options{Exe: exe})
	if err != nil {
		t.Fatalf("launch: %v", err)
	}
	p.DS = settings.Instance()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("host log of %s (pid %d):\n%s", filepath.Base(exe), p.PID(), tail(p.Logs.String(), 12000))
		}
	})
	return p
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}

// DefaultBackend is the executable's path relative to tests/grafana-host.
const DefaultBackend = "../../dist/datasource/gpx_simviz_linux_amd64"

// BackendPath is SIMVIZ_BACKEND or DefaultBackend; the test is skipped when it does not exist.
func BackendPath(t testing.TB) string {
	t.Helper()
	exe := os.Getenv("SIMVIZ_BACKEND")
	if exe == "" {
		exe = DefaultBackend
	}
	abs, err := filepath.Abs(exe)
	if err != nil {
		t.Fatalf("SIMVIZ_BACKEND %q: %v", exe, err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Skipf("no SimViz backend executable at %s (set SIMVIZ_BACKEND, or build it: npx tsx scripts/build-backend.ts): %v", abs, err)
	}
	return abs
}

// With is p with another default datasource (the same process serves every datasource).
func (p *Plugin) With(settings Settings) *Plugin {
	q := *p
	q.DS = settings.Instance()
	return &q
}

// Health runs CheckHealth for p.DS.
func (p *Plugin) Health(ctx context.Context) (*backend.CheckHealthResult, error) {
	return p.CheckHealth(ctx, &backend.CheckHealthRequest{PluginContext: PluginContext(p.DS), Headers: map[string]string{}})
}

// Query is one DataQuery: its JSON model and what Grafana puts beside it.
type Query struct {
	RefID         string
	QueryType     string
	JSON          []byte
	MaxDataPoints int64
	Interval      time.Duration
	TimeRange     backend.TimeRange
}

// NewQuery builds a Query from a JSON model; refId and queryType are read from it as Grafana's
// query service reads them, maxDataPoints 100 and interval 1 s unless the model says otherwise.
func NewQuery(model map[string]any, tr backend.TimeRange) Query {
	q := Query{RefID: "A", MaxDataPoints: 100, Interval: time.Second, TimeRange: tr}
	if v, ok := model["refId"].(string); ok {
		q.RefID = v
	}
	if v, ok := model["queryType"].(string); ok {
		q.QueryType = v
	}
	if v, ok := model["maxDataPoints"].(float64); ok {
		q.MaxDataPoints = int64(v)
	} else if v, ok := model["maxDataPoints"].(int); ok {
		q.MaxDataPoints = int64(v)
	}
	if v, ok := model["intervalMs"].(float64); ok {
		q.Interval = time.Duration(v) * time.Millisecond
	}
	b, err := json.Marshal(model)
	if err != nil {
		panic(err)
	}
	q.JSON = b
	return q
}

// Request is the QueryDataRequest Grafana's query service sends for queries against p.DS.
func (p *Plugin) Request(queries ...Query) *backend.QueryDataRequest {
	req := &backend.QueryDataRequest{PluginContext: PluginContext(p.DS), Headers: map[string]string{}}
	for _, q := range queries {
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID:         q.RefID,
			QueryType:     q.QueryType,
			MaxDataPoints: q.MaxDataPoints,
			Interval:      q.Interval,
			TimeRange:     q.TimeRange,
			JSON:          q.JSON,
		})
	}
	return req
}

// Query runs QueryData for p.DS.
func (p *Plugin) Query(ctx context.Context, queries ...Query) (*backend.QueryDataResponse, error) {
	return p.QueryData(ctx, p.Request(queries...))
}

// Get is a GET resource call for p.DS (path like "api/v1/health?x=y").
func (p *Plugin) Get(ctx context.Context, pathAndQuery string) (*ResourceResponse, error) {
	return p.Resource(ctx, p.DS, "GET", pathAndQuery, map[string][]string{"Accept": {"application/json"}}, nil)
}

// Post is a POST resource call for p.DS with a JSON body.
func (p *Plugin) Post(ctx context.Context, pathAndQuery string, body any) (*ResourceResponse, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	headers := map[string][]string{"Accept": {"application/json"}, "Content-Type": {"application/json"}}
	return p.Resource(ctx, p.DS, "POST", pathAndQuery, headers, b)
}
