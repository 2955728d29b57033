package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/seed/demo"
)

// account returns the first demo account with role r (and, for unit roles, a unit other
// than notUnit when given).
func demoAccount(t testing.TB, r account.Role, notUnit string) demo.Account {
	t.Helper()
	for _, a := range demoRes.Accounts {
		if a.Role == r && (notUnit == "" || a.Unit != notUnit) {
			return a
		}
	}
	t.Fatalf("no demo account with role %s", r)
	return demo.Account{}
}

type client struct {
	t     testing.TB
	srv   *web.Server
	token string
}

func (c *client) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.srv.App.Test(req, 30_000)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) == 0 && resp.StatusCode == 204 {
		return resp.StatusCode, nil
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s %s: status %d, body not JSON: %.200s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func login(t testing.TB, srv *web.Server, username string) *client {
	t.Helper()
	c := &client{t: t, srv: srv}
	st, body := c.do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"username":%q,"password":%q}`, username, demoPassword))
	if st != 200 {
		t.Fatalf("login %s = %d %v", username, st, body)
	}
	c.token = body["token"].(string)
	return c
}

func wantError(t *testing.T, st int, body map[string]any, status int, code string) {
	t.Helper()
	if st != status || body["code"] != code || body["error"] == nil || body["error"] == "" {
		t.Errorf("got %d %v, want %d with code %q and a message", st, body, status, code)
	}
}

func TestAPILoginFailsWithOneMessage(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := &client{t: t, srv: srv}
	st1, b1 := c.do("POST", "/api/v1/auth/login", `{"username":"bupati","password":"salah"}`)
	st2, b2 := c.do("POST", "/api/v1/auth/login", `{"username":"tidak.ada","password":"salah"}`)
	wantError(t, st1, b1, 401, "unauthorized")
	if st1 != st2 || b1["error"] != b2["error"] {
		t.Errorf("wrong password and unknown user differ: %v / %v", b1, b2)
	}
}

func TestAPIRejectsOperatorKeys(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := &client{t: t, srv: srv}
	st, b := c.do("POST", "/api/v1/auth/login", `{"username":{"$ne":""},"password":"x"}`)
	wantError(t, st, b, 400, "invalid")
	st, b = c.do("POST", "/api/v1/auth/login", `{"$where":"1","password":"x"}`)
	wantError(t, st, b, 400, "invalid")
}

func TestAPICamatSeesOnlyOwnUnit(t *testing.T) {
	srv := newServer(t, web.Config{})
	camat := demoAccount(t, account.Camat, "")
	other := demoAccount(t, account.Camat, camat.Unit)
	c := login(t, srv, camat.Username)
	year := demoNow.Year()

	st, b := c.do("GET", fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", year, camat.Unit), "")
	if st != 200 || b["unit"] != camat.Unit || b["answers"] == nil || b["self"] == nil {
		t.Fatalf("own assessment = %d %v", st, b)
	}
	st, b = c.do("GET", fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", year, other.Unit), "")
	wantError(t, st, b, 403, "forbidden")

	st, b = c.do("GET", "/api/v1/assessments", "")
	if st != 200 {
		t.Fatalf("list = %d %v", st, b)
	}
	list := b["assessments"].([]any)
	if len(list) == 0 {
		t.Fatal("camat sees no assessments")
	}
	for _, a := range list {
		if u := a.(map[string]any)["unit"]; u != camat.Unit {
			t.Errorf("camat of %s sees %s", camat.Unit, u)
		}
	}
	st, b = c.do("GET", "/api/v1/rankings?instrument=zi-2021", "")
	wantError(t, st, b, 403, "forbidden")
}

func TestAPIPimpinanReadsEverything(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	st, b := c.do("GET", "/api/v1/assessments", "")
	if st != 200 || len(b["assessments"].([]any)) != demoRes.Assessments {
		t.Fatalf("list = %d, %d assessments, want %d", st, len(b["assessments"].([]any)), demoRes.Assessments)
	}
	other := demoAccount(t, account.Camat, "")
	if st, b := c.do("GET", fmt.Sprintf("/api/v1/assessments/%d/sakip-2021/%s", demoNow.Year()-1, other.Unit), ""); st != 200 || b["status"] != "final" {
		t.Errorf("earlier year = %d %v", st, b["status"])
	}
	st, b = c.do("GET", "/api/v1/rankings?instrument=zi-2021", "")
	if st != 200 {
		t.Fatalf("rankings = %d %v", st, b)
	}
	rows := b["rows"].([]any)
	if len(rows) != demoRes.Units-1 {
		t.Errorf("%d ranking rows, want one per kecamatan (%d)", len(rows), demoRes.Units-1)
	}
	prev := 1e9
	for i, r := range rows {
		row := r.(map[string]any)
		if int(row["rank"].(float64)) < 1 || row["name"] == "" {
			t.Errorf("row %d = %v", i, row)
		}
		if s := row["score"].(float64); s > prev {
			t.Errorf("row %d score %v above previous %v", i, s, prev)
		} else {
			prev = s
		}
	}
	// A pimpinan writes nothing: even the read-only role's gate refuses admin pages... and
	// the instruments API answers.
	if st, b := c.do("GET", "/api/v1/instruments/zi-2021", ""); st != 200 || b["id"] != "zi-2021" {
		t.Errorf("instrument = %d %v", st, b["id"])
	}
	if st, b := c.do("GET", "/api/v1/instruments", ""); st != 200 || len(b["instruments"].([]any)) != 5 {
		t.Errorf("instruments = %d %v", st, b)
	}
}

func TestAPIEvaluatorSeesAssignedOnly(t *testing.T) {
	srv := newServer(t, web.Config{})
	ev := login(t, srv, "inspektur")
	st, b := ev.do("GET", fmt.Sprintf("/api/v1/assessments?period=%d&instrument=zi-2021", demoNow.Year()), "")
	if st != 200 {
		t.Fatalf("list = %d %v", st, b)
	}
	assigned := map[string]bool{}
	for _, a := range b["assessments"].([]any) {
		assigned[a.(map[string]any)["unit"].(string)] = true
	}
	if len(assigned) == 0 || len(assigned) >= demoRes.Units-1 {
		t.Fatalf("evaluator sees %d units, want some but not all", len(assigned))
	}
	for _, a := range demoRes.Accounts {
		if a.Role != account.Camat {
			continue
		}
		st, b := ev.do("GET", fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", demoNow.Year(), a.Unit), "")
		if assigned[a.Unit] && st != 200 {
			t.Errorf("assigned %s = %d %v", a.Unit, st, b)
		}
		if !assigned[a.Unit] {
			wantError(t, st, b, 403, "forbidden")
		}
	}
}

func TestAPINotFoundAndBadInput(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	unit := demoAccount(t, account.Camat, "").Unit
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{fmt.Sprintf("/api/v1/assessments/%d/tidak-ada/%s", demoNow.Year(), unit), 404, "not_found"},
		{fmt.Sprintf("/api/v1/assessments/%d/zi-2021/tidak-ada", demoNow.Year()), 404, "not_found"},
		{fmt.Sprintf("/api/v1/assessments/2031/zi-2021/%s", unit), 404, "not_found"},
		{"/api/v1/assessments/dua-ribu/zi-2021/" + unit, 400, "invalid"},
		{"/api/v1/instruments/tidak-ada", 404, "not_found"},
		{"/api/v1/rankings?instrument=tidak-ada", 404, "not_found"},
		{"/api/v1/rankings?instrument=zi-2021&period=2031", 404, "not_found"},
		{"/api/v1/rankings", 400, "invalid"},
		{"/api/v1/tidak-ada", 404, "not_found"},
	} {
		st, b := c.do("GET", tc.path, "")
		t.Run(tc.path, func(t *testing.T) { wantError(t, st, b, tc.status, tc.code) })
	}
	anon := &client{t: t, srv: srv}
	st, b := anon.do("GET", "/api/v1/assessments", "")
	wantError(t, st, b, http.StatusUnauthorized, "unauthorized")
	bad := &client{t: t, srv: srv, token: "bukan-token"}
	st, b = bad.do("GET", "/api/v1/assessments", "")
	wantError(t, st, b, http.StatusUnauthorized, "unauthorized")
}
