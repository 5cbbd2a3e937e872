package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

const zabbixToken = "zbx-secret-token-789"

// fakeZabbixAPI answers event.get like Zabbix 6.4+: problem 501 (10:05,
// acknowledged at 10:10) recovered by OK event 502 at 10:40.
func fakeZabbixAPI(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Method string         `json:"method"`
			Params map[string]any `json:"params"`
			ID     int            `json:"id"`
		}
		if r.URL.Path != "/api_jsonrpc.php" || json.NewDecoder(r.Body).Decode(&req) != nil || req.Method != "event.get" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+zabbixToken {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params.","data":"Not authorized."},"id":%d}`, req.ID)
			return
		}
		result := fmt.Sprintf(`[{"eventid":"501","source":"0","object":"0","objectid":"77","clock":"%d","ns":"0","r_eventid":"502","value":"1","name":"Checkout 5xx rate high","severity":"4",`+
			`"hosts":[{"host":"web-1","name":"web-1"}],"tags":[{"tag":"service","value":"checkout"}],`+
			`"acknowledges":[{"acknowledgeid":"9","userid":"2","clock":"%d","message":"on it","action":"6","name":"Ana","surname":"Lima"}]}]`,
			at(10, 5).Unix(), at(10, 10).Unix())
		if ids, ok := req.Params["eventids"].([]any); ok && len(ids) == 1 && ids[0] == "502" {
			result = fmt.Sprintf(`[{"eventid":"502","clock":"%d","ns":"0","value":"0","objectid":"77"}]`, at(10, 40).Unix())
		}
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","result":`+result+`,"id":`+fmt.Sprint(req.ID)+`}`)
	})
}

func TestCLI_PullZabbix(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeZabbixAPI(t))
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_ZABBIX_URL=" + srv.URL, "HINDSIGHT_ZABBIX_TOKEN=" + zabbixToken}
	args := []string{"pull", "zabbix", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "dry run", environ: environ, args: append(args, "--dry-run"), wantOut: []string{"3 events read; would be 3 added", "Ana Lima"},
			wantErr: []string{"pull: reading zabbix: everything, from 2026-03-01T09:00:00Z to 2026-03-01T13:00:00Z"}, wantCount: 1},
		{name: "pull", environ: environ, args: args, wantOut: []string{"Pulled zabbix: 2026-03-01T09:00Z..2026-03-01T13:00Z into INC-1: 3 added, 0 duplicates"}, wantCount: 4},
		{name: "pull by id adds nothing new", environ: environ, args: append(args, "--id", "501"), wantOut: []string{"0 added, 3 duplicates"}, wantCount: 4},
		{name: "url required", environ: []string{"HINDSIGHT_ZABBIX_TOKEN=" + zabbixToken}, args: args, wantCode: 2, wantErr: []string{"HINDSIGHT_ZABBIX_URL"}, wantCount: 4},
		{name: "wrong token", environ: []string{"HINDSIGHT_ZABBIX_URL=" + srv.URL, "HINDSIGHT_ZABBIX_TOKEN=nope"}, args: args, wantCode: 1,
			wantErr: []string{"Zabbix API error -32602: Invalid params: Not authorized."}, wantCount: 4},
	}
	runPullCases(t, data, []string{zabbixToken}, tests)
}
