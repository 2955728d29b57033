package server

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/survey"
)

// Setting a survey up: the camat for their own unit, the admin for any; everyone else and
// every other unit is refused; bad fields are named; a second survey of a kind is a conflict.
// Reading follows the assessment's rules; closing makes the public API answer 410.
func TestSurveyAPISetupRolesAndLifecycle(t *testing.T) {
	w := newSurveyWorld(t)
	unit := w.unitWithIKM(assessment.Draft)
	other := w.unitWithIKM(assessment.Draft, unit)
	camat := w.api("camat." + unit)
	admin := w.api("admin")

	id, token := w.create(camat, "ikm", unit, 2500)
	if id != "2026/ikm/"+unit || !survey.ValidToken(token) {
		t.Fatalf("id %q, token %q", id, token)
	}
	st, body := camat.do("GET", "/api/v1/surveys/"+id, "")
	if st != 200 || body["url"] != "http://example.com/survei/"+token || body["kiosk_url"] == nil || body["token"] != token {
		t.Errorf("camat's survey = %d %v", st, body)
	}

	for _, tc := range []struct {
		who, body string
		status    int
		code      string
		mention   string
	}{
		{"camat." + unit, fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"ikm","service":"KTP","population":100}`, other), 403, "forbidden", "unit Anda sendiri"},
		{"staf." + unit, fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"ikm","service":"KTP","population":100}`, unit), 403, "forbidden", ""},
		{"bupati", fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"ikm","service":"KTP","population":100}`, unit), 403, "forbidden", ""},
		{"camat." + unit, fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"ikm","service":"KTP","population":100}`, unit), 409, "conflict", "sudah ada"},
		{"admin", fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"skm","service":"KTP","population":100}`, other), 400, "invalid", "kind"},
		{"admin", fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"ikm","service":"","population":100}`, other), 400, "invalid", "service"},
		{"admin", fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"ikm","service":"KTP","population":0}`, other), 400, "invalid", "population"},
		{"admin", fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"ikm","service":"KTP","population":"banyak"}`, other), 400, "invalid", "population"},
		{"admin", fmt.Sprintf(`{"period":2019,"unit":%q,"kind":"ikm","service":"KTP","population":100}`, other), 400, "invalid", "period"},
		{"admin", `{"period":2026,"unit":"tidak-ada","kind":"ikm","service":"KTP","population":100}`, 404, "not_found", ""},
		{"admin", fmt.Sprintf(`{"period":2026,"unit":%q,"kind":"ikm","service":"KTP","population":100,"$where":"1"}`, other), 400, "invalid", "$where"},
	} {
		c := camat
		if tc.who != "camat."+unit {
			c = w.api(tc.who)
		}
		st, body := c.do("POST", "/api/v1/surveys", tc.body)
		wantError(t, st, body, tc.status, tc.code)
		// A field's error names it in "field" for API clients; the message is for people.
		if msg, _ := body["error"].(string); tc.mention != "" && !strings.Contains(msg, tc.mention) && body["field"] != tc.mention {
			t.Errorf("%s %s: message %q, field %v: neither names %q", tc.who, tc.body, msg, body["field"], tc.mention)
		}
	}
	idF03, _ := w.create(admin, "pekppp-f03", other, 800)

	// Reading: the unit's staf, the bupati, the admin; not another unit's camat.
	for who, want := range map[string]int{"staf." + unit: 200, "bupati": 200, "admin": 200, "camat." + other: 403} {
		st, body := w.api(who).do("GET", "/api/v1/surveys/"+id+"/results", "")
		if st != want {
			t.Errorf("%s reads the results: %d %v, want %d", who, st, body, want)
		}
	}
	// The evaluator assigned to the unit's IKM reads it; one who is not does not.
	as, err := w.st.Assignments.ForEvaluator(context.Background(), "inspektur")
	if err != nil {
		t.Fatal(err)
	}
	assigned := false
	for _, a := range as {
		if a.Year == 2026 && a.Instrument == "ikm-2017" && slices.Contains(a.Units, unit) {
			assigned = true
		}
	}
	for who, want := range map[string]bool{"inspektur": assigned, "evaluator2": !assigned} {
		st, _ := w.api(who).do("GET", "/api/v1/surveys/"+id+"/results", "")
		if (st == 200) != want || (st != 200 && st != 403) {
			t.Errorf("%s (assigned %v) reads the results: %d", who, want, st)
		}
	}
	// Only managers see the token.
	if _, body := w.api("bupati").do("GET", "/api/v1/surveys/"+id, ""); body["token"] != nil || body["url"] != nil {
		t.Errorf("the bupati sees the token: %v", body)
	}
	// The list holds what each may read.
	_, body = w.api("camat."+other).do("GET", "/api/v1/surveys?period=2026", "")
	if got := ids(body["surveys"]); len(got) != 1 || got[0] != idF03 {
		t.Errorf("camat of %s lists %v", other, got)
	}
	_, body = w.api("bupati").do("GET", "/api/v1/surveys?period=2026", "")
	if got := ids(body["surveys"]); len(got) != 2 {
		t.Errorf("bupati lists %v", got)
	}

	// An answer, a close (410 then), a reopen.
	if st, body := w.answer(token, ikmAnswers("4", "3", "3", "4", "3", "4", "4", "3", "3"), time.Minute); st != 201 {
		t.Fatalf("answer: %d %v", st, body)
	}
	if st, body := w.api("staf."+unit).do("POST", "/api/v1/surveys/"+id+"/close", ""); st != 403 {
		t.Errorf("staf closes: %d %v", st, body)
	}
	if st, body := camat.do("POST", "/api/v1/surveys/"+id+"/close", ""); st != 200 || body["status"] != "tutup" {
		t.Fatalf("close: %d %v", st, body)
	}
	st, body = w.anon().do("POST", "/api/v1/public/surveys/"+token+"/responses", `{"answers":{"U1":4}}`)
	wantError(t, st, body, 410, "gone")
	st, body = w.anon().do("GET", "/api/v1/public/surveys/"+token, "")
	wantError(t, st, body, 410, "gone")
	if st, body := admin.do("POST", "/api/v1/surveys/"+id+"/reopen", ""); st != 200 || body["status"] != "buka" {
		t.Fatalf("reopen: %d %v", st, body)
	}
	if st, body := w.anon().do("POST", "/api/v1/public/surveys/"+token+"/responses", `{"answers":{"U1":4,"U2":3}}`); st != 201 {
		t.Errorf("after reopening: %d %v", st, body)
	}
	res := w.results(camat, id)
	if res["received"] != 2.0 || res["n"] != 2.0 {
		t.Errorf("results after reopen = %v", res)
	}
	if got := w.auditOf(audit4(t, w), "survey."); !strings.Contains(got, "survey.create") || !strings.Contains(got, "survey.close") || !strings.Contains(got, "survey.reopen") {
		t.Errorf("audit = %s", got)
	}
}

func ids(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any)["id"].(string))
	}
	return out
}

// audit4 lists the audit events of the world's day.
func audit4(t *testing.T, w *surveyWorld) []string {
	t.Helper()
	day := w.st.Audit.Day(context.Background(), w.clock())
	es, err := w.st.Audit.List(context.Background(), audit.Filter{Day: day})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%s %s %s: %s", e.Actor, e.Action, e.Target, e.Detail))
	}
	return out
}

func (w *surveyWorld) auditOf(events []string, prefix string) string {
	var keep []string
	for _, e := range events {
		if strings.Contains(e, " "+prefix) {
			keep = append(keep, e)
		}
	}
	return strings.Join(keep, "\n")
}

// Hostile input through the public API is refused with the field named, or stored inert.
func TestSurveyPublicAPIRefusesHostileInput(t *testing.T) {
	w := newSurveyWorld(t)
	unit := w.unitWithIKM(assessment.Draft)
	camat := w.api("camat." + unit)
	id, token := w.create(camat, "ikm", unit, 300)
	anon := w.anon()
	post := func(body string) (int, map[string]any) {
		return anon.do("POST", "/api/v1/public/surveys/"+token+"/responses", body)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
		mention    string
	}{
		{"out of range", `{"answers":{"U1":5}}`, 400, "invalid", "answers.U1"},
		{"zero", `{"answers":{"U3":0}}`, 400, "invalid", "answers.U3"},
		{"not an integer", `{"answers":{"U2":3.5}}`, 400, "invalid", "answers.U2"},
		{"integer as text", `{"answers":{"U2":"3"}}`, 400, "invalid", "answers.U2"},
		{"unknown unsur", `{"answers":{"U10":3}}`, 400, "invalid", "U10"},
		{"operator key", `{"answers":{"$gt":""}}`, 400, "invalid", "$gt"},
		{"operator nested", `{"answers":{"U1":3},"respondent":{"$ne":1}}`, 400, "invalid", "$ne"},
		{"nothing answered", `{"answers":{"U1":null}}`, 400, "invalid", "answers"},
		{"no answers", `{"respondent":{"umur":30}}`, 400, "invalid", "answers"},
		{"unknown field", `{"answers":{"U1":3},"admin":true}`, 400, "invalid", "admin"},
		{"bad profile choice", `{"answers":{"U1":3},"respondent":{"pendidikan":"<b>"}}`, 400, "invalid", "pendidikan"},
		{"age out of range", `{"answers":{"U1":3},"respondent":{"umur":3}}`, 400, "invalid", "umur"},
		{"form token of the wrong type", `{"answers":{"U1":3},"form_token":12345}`, 400, "invalid", "form_token"},
		{"form token forged", `{"answers":{"U1":3},"form_token":"AAAA.BBBB"}`, 400, "invalid", "form_token"},
		{"not JSON", `answers=U1`, 400, "invalid", ""},
		{"suggestion too long", `{"answers":{"U1":3},"saran":"` + strings.Repeat("a", survey.MaxSuggestion+1) + `"}`, 400, "invalid", "saran"},
	} {
		st, body := post(tc.body)
		if tc.status != st || body["code"] != tc.code {
			t.Errorf("%s: %d %v, want %d %s", tc.name, st, body, tc.status, tc.code)
			continue
		}
		if msg, _ := body["error"].(string); tc.mention != "" && !strings.Contains(msg, tc.mention) {
			t.Errorf("%s: %q does not name %q", tc.name, msg, tc.mention)
		}
	}
	// A body past the small limit: 413 before it is parsed.
	big := `{"answers":{"U1":3},"saran":"` + strings.Repeat("x", 20<<10) + `"}`
	st, body := post(big)
	wantError(t, st, body, 413, "too_large")
	// A form body on the JSON API: 415.
	req := httptest.NewRequest("POST", "/api/v1/public/surveys/"+token+"/responses", strings.NewReader("U1=3"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := w.srv.App.Test(req, 30_000); err != nil || resp.StatusCode != 415 {
		t.Errorf("form body on the API: %v %v", resp.StatusCode, err)
	}
	// Tokens of the wrong form are never looked up: 404.
	for _, bad := range []string{"%24gt", "ABC", strings.Repeat("z", 300), "0123456789abcdeu", token + "0", "%00"} {
		st, body := anon.do("POST", "/api/v1/public/surveys/"+bad+"/responses", `{"answers":{"U1":3}}`)
		wantError(t, st, body, 404, "not_found")
		st, body = anon.do("GET", "/api/v1/public/surveys/"+bad, "")
		wantError(t, st, body, 404, "not_found")
	}
	// Nothing above was stored.
	if res := w.results(camat, id); res["received"] != 0.0 {
		t.Fatalf("refused input was stored: %v", res)
	}

	// A script in the suggestion is stored as written and shown inert.
	script := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	if st, body := post(`{"answers":{"U1":3},"saran":` + jsonString(script) + `}`); st != 201 {
		t.Fatalf("suggestion with markup: %d %v", st, body)
	}
	page := w.page(camat, "/kelola-survei/"+id)
	if strings.Contains(page, script) || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the suggestion is not escaped on the results page")
	}
	// A form sent twice with one ticket is stored once.
	ft := w.formToken(token)
	w.advance(time.Minute)
	one := fmt.Sprintf(`{"answers":{"U1":4,"U2":3},"form_token":%q}`, ft)
	st1, b1 := post(one)
	st2, b2 := post(one)
	if st1 != 201 || st2 != 200 || b2["duplicate"] != true || b1["seq"] != b2["seq"] {
		t.Errorf("double submission: %d %v then %d %v", st1, b1, st2, b2)
	}
	if res := w.results(camat, id); res["received"] != 2.0 {
		t.Errorf("received = %v, want 2", res["received"])
	}
}

func jsonString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// page returns the HTML of a page as c (cookie-less: the API's token as a session is not
// possible, so pages are read through a browser session made for the user).
func (w *surveyWorld) page(c *client, path string) string {
	w.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Cookie", w.sessionCookie(c))
	resp, err := w.srv.App.Test(req, 30_000)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		w.t.Fatalf("GET %s: %d %.300s", path, resp.StatusCode, b)
	}
	return string(b)
}

// sessionCookie returns a browser session of the client's user (one per client).
func (w *surveyWorld) sessionCookie(c *client) string {
	w.t.Helper()
	w.mu.Lock()
	cookie, ok := w.sessions[c.token]
	w.mu.Unlock()
	if ok {
		return cookie
	}
	u, err := w.st.Users.UserForToken(context.Background(), c.token)
	if err != nil {
		w.t.Fatal(err)
	}
	tok, err := w.st.Users.NewSession(context.Background(), u.Username, account.WebSession, time.Hour)
	if err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sessions == nil {
		w.sessions = map[string]string{}
	}
	w.sessions[c.token] = "raporrb_sesi=" + tok
	return w.sessions[c.token]
}
