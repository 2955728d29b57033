package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/web"
)

// section cuts the HTML of the element with id out of a page (up to the next element with an
// id at the same place in the template: enough to compare one part of a page).
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no #%s on the page: %.300s", id, body)
	}
	end := strings.Index(body[i:], "</section>")
	if end < 0 {
		return body[i:]
	}
	return body[i : i+end]
}

// TestDashboardFromMemoryFollowsEveryWrite: the dashboard and the drill-down are served from
// memory, yet every kind of write to what they show appears on the very next view, each time
// right after the page was served (and so cached): an answer (the boards), the composite
// weights (settings), a period's deadline (periods), an evaluator's name (users), the proposal
// checklist's facts (eligibility) and the kabupaten's time zone (units).
func TestDashboardFromMemoryFollowsEveryWrite(t *testing.T) {
	st, _, srv := freshDemo(t)
	bupati := newPage(t, srv)
	bupati.login("bupati")
	admin := login(t, srv, "admin")
	api := login(t, srv, "bupati")
	view := func(path string) string {
		t.Helper()
		resp, body := bupati.do("GET", path, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		return body
	}
	// viewTwice primes the cache and checks the second view is the first one.
	viewTwice := func(path string) string {
		t.Helper()
		a, b := view(path), view(path)
		if a != b {
			t.Fatalf("GET %s twice without a write gave two pages", path)
		}
		return a
	}

	// An answer: the ranking's score and the drill-down's self score.
	unit := draftUnit(t, api)
	drill := fmt.Sprintf("/dasbor/%d/zi-2021/%s", dashYear, unit)
	viewTwice("/dasbor")
	viewTwice(drill)
	camat := login(t, srv, "camat."+unit)
	path := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", dashYear, unit)
	answer := "Ya"
	for _, x := range objects(t, camat.mustGet(path), "answers") {
		if s, ok := x["self"].(map[string]any); ok && x["indicator"] == "P.MP.PM.1.a" && s["option"] == "Ya" {
			answer = "Tidak"
		}
	}
	code, b := camat.do("PUT", path+"/answers/P.MP.PM.1.a", fmt.Sprintf(`{"answer": %q, "rev": %d}`, answer, answerRev(t, camat, path, "P.MP.PM.1.a")))
	if code != 200 {
		t.Fatalf("save = %d %v", code, b)
	}
	self, _ := num(b["self"].(map[string]any), "total")
	re := regexp.MustCompile(`<tr data-unit="` + regexp.QuoteMeta(unit) + `">\s*<td class="num">\d+</td>\s*<td>[^\n]*</td>\s*<td class="num score" data-score="([^"]+)"`)
	if m := re.FindStringSubmatch(section(t, view("/dasbor"), "tabel-zi-2021")); m == nil || m[1] != fmt.Sprint(self) {
		t.Errorf("dashboard score of %s after the save = %v, want %v", unit, m, self)
	}
	if got := section(t, view(drill), "nilai-mandiri"); !strings.Contains(got, ">"+id2(self)+"<") {
		t.Errorf("drill-down self score after the save: %q, want %s", got, id2(self))
	}

	// The composite weights.
	ids := periodInstruments(t, admin)
	ws, rev := currentWeights(t, admin)
	ws["zi-2021"] = 7
	viewTwice("/dasbor")
	if code, b := admin.do("PUT", "/api/v1/composite-weights", weightsBody(ws, ids, rev)); code != 200 {
		t.Fatalf("weights = %d %v", code, b)
	}
	zi, _ := catalog.Get("zi-2021")
	if got := section(t, view("/dasbor"), "komposit-section"); !strings.Contains(got, zi.ShortName()+" 7") {
		t.Errorf("composite weights after the save: %.400q, want %s 7", got, zi.ShortName())
	}

	// A period's deadline: the chart heading of ZI's progress names it.
	var period map[string]any
	if err := json.Unmarshal(mustJSON(t, api.mustGet(fmt.Sprintf("/api/v1/periods/%d", dashYear))), &period); err != nil {
		t.Fatal(err)
	}
	if p, ok := period["period"].(map[string]any); ok {
		period = p
	}
	insts := objects(t, period, "instruments")
	for _, w := range insts {
		if w["instrument"] == "zi-2021" {
			w["self_deadline"], w["review_deadline"] = "2026-12-29", "2026-12-30"
		}
	}
	viewTwice("/dasbor")
	body, _ := json.Marshal(map[string]any{"instruments": insts})
	if code, b := admin.do("PUT", fmt.Sprintf("/api/v1/periods/%d", dashYear), string(body)); code != 200 {
		t.Fatalf("period = %d %v", code, b)
	}
	if got := section(t, view("/dasbor"), "perbandingan"); !strings.Contains(got, "(batas 29 Desember 2026)") {
		t.Errorf("progress heading after the new deadline: %.300q", got)
	}

	// An evaluator's name, in the consistency table.
	var finalizer string
	for _, r := range rankingRows(t, api, "zi-2021") {
		if s, _ := r["finalized_by"].(string); s != "" {
			finalizer = s
			break
		}
	}
	if finalizer == "" {
		t.Fatal("no ZI assessment finalized in the demo's current year")
	}
	viewTwice("/dasbor")
	if code, b := admin.do("PATCH", "/api/v1/users/"+finalizer, `{"name": "Evaluator Berganti Nama"}`); code != 200 {
		t.Fatalf("rename = %d %v", code, b)
	}
	if got := section(t, view("/dasbor"), "konsistensi"); !strings.Contains(got, "Evaluator Berganti Nama") {
		t.Errorf("consistency table after the rename: %.400q", got)
	}

	// The proposal checklist's facts, on the drill-down.
	facts := api.mustGet(fmt.Sprintf("/api/v1/eligibility/%d/zi-2021/kab-contoh", dashYear))
	frev, _ := num(facts, "rev")
	viewTwice(drill)
	if code, b := admin.do("PUT", fmt.Sprintf("/api/v1/eligibility/%d/zi-2021/kab-contoh", dashYear),
		fmt.Sprintf(`{"values": {"nilai_sakip": 61.25}, "units": [], "rev": %d}`, int(frev))); code != 200 {
		t.Fatalf("facts = %d %v", code, b)
	}
	if got := section(t, view(drill), "syarat-pengusulan"); !strings.Contains(got, "61,25") {
		t.Errorf("checklist after the facts: %.400q", got)
	}

	// The kabupaten's time zone: the next deadline is written in it.
	before := section(t, viewTwice("/dasbor"), "fig-units")
	if !strings.Contains(before, "WIB") {
		t.Fatalf("the headline names no deadline in WIB: %.600q", before)
	}
	if code, b := admin.do("PATCH", "/api/v1/units/kab-contoh", `{"time_zone": "Asia/Makassar"}`); code != 200 {
		t.Fatalf("zone = %d %v", code, b)
	}
	if got := section(t, view("/dasbor"), "fig-units"); !strings.Contains(got, "WITA") {
		t.Errorf("headline after the zone changed: %.600q", got)
	}
	_ = st
}

// mustJSON re-encodes a decoded JSON body.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDashboardFromMemoryKeepsUsersApart: a page served from memory carries the requesting
// user's own name and CSRF token (the layout is rendered per request), the admin's link to
// the weights only for admins, and a drill-down cached for one reader is refused to a user who
// may not read it; the charts' options answer under the same rules; an unchanged page is 304.
func TestDashboardFromMemoryKeepsUsersApart(t *testing.T) {
	srv := newServer(t, web.Config{})
	one, two, adm := newPage(t, srv), newPage(t, srv), newPage(t, srv)
	one.login("bupati")
	two.login("bupati")
	adm.login("admin")
	_, b1 := one.do("GET", "/dasbor", nil)
	_, b2 := two.do("GET", "/dasbor", nil)
	_, b3 := adm.do("GET", "/dasbor", nil)
	tok := func(body string) string {
		m := csrfRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no CSRF token: %.300s", body)
		}
		return m[1]
	}
	if t1, t2 := tok(b1), tok(b2); t1 == t2 || strings.Contains(b1, t2) || strings.Contains(b2, t1) {
		t.Errorf("two sessions of the bupati share a CSRF token: %s, %s", t1, t2)
	}
	bupatiName, adminName := demoAccount(t, account.Pimpinan, "").Name, demoAccount(t, account.Admin, "").Name
	if !strings.Contains(b1, bupatiName) || strings.Contains(b1, `>`+adminName+`<`) || !strings.Contains(b3, adminName) {
		t.Errorf("names: the bupati's page names %q: %v; the admin's names %q: %v", bupatiName, strings.Contains(b1, bupatiName), adminName, strings.Contains(b3, adminName))
	}
	if strings.Contains(section(t, b1, "komposit-section"), `href="/admin/bobot-komposit"`) || !strings.Contains(section(t, b3, "komposit-section"), `href="/admin/bobot-komposit"`) {
		t.Error("the link to the weights must show for the admin only")
	}
	// The body between the layout's parts is the same for both sessions (one cached render).
	main := func(body string) string { return body[strings.Index(body, "<main"):strings.Index(body, "</main>")] }
	if main(b1) != main(b2) {
		t.Error("two sessions of the bupati got different page content")
	}

	// ETag: an unchanged page is 304 without a body; another session's tag is not this page's.
	resp, _ := one.do("GET", "/dasbor", nil)
	tag := resp.Header.Get("ETag")
	if tag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "no-cache") {
		t.Fatalf("ETag %q, Cache-Control %q", tag, resp.Header.Get("Cache-Control"))
	}
	one.header = http.Header{"If-None-Match": {tag}}
	if resp, body := one.do("GET", "/dasbor", nil); resp.StatusCode != 304 || body != "" {
		t.Errorf("unchanged page with its ETag = %d, %d bytes; want 304 and none", resp.StatusCode, len(body))
	}
	two.header = http.Header{"If-None-Match": {tag}}
	if resp, _ := two.do("GET", "/dasbor", nil); resp.StatusCode != 200 {
		t.Errorf("another session with the first one's ETag = %d, want 200 (its page has its own token)", resp.StatusCode)
	}
	one.header, two.header = nil, nil

	// The charts' options: every chart of the page, for leaders only.
	resp, body := one.do("GET", "/dasbor/grafik?n=15", nil)
	var opts map[string]json.RawMessage
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &opts) != nil {
		t.Fatalf("/dasbor/grafik = %d %.200s", resp.StatusCode, body)
	}
	var want []string
	for _, m := range regexp.MustCompile(`data-chart="([^"]+)" data-src="/dasbor/grafik\?n=15"`).FindAllStringSubmatch(b1, -1) {
		want = append(want, m[1])
	}
	var got []string
	for id := range opts {
		got = append(got, id)
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) != 11 || !slices.Equal(got, want) {
		t.Errorf("chart options for %v, the page has charts %v", got, want)
	}

	// Drill-downs: cached for a reader, refused to others.
	own, other := newPage(t, srv), newPage(t, srv)
	own.login("camat.sukamaju")
	other.login("camat.mekarsari")
	for _, p := range []string{"/dasbor/2026/zi-2021/sukamaju", "/dasbor/2026/zi-2021/sukamaju/grafik?target="} {
		if resp, _ := own.do("GET", p, nil); resp.StatusCode != 200 {
			t.Errorf("camat.sukamaju GET %s = %d", p, resp.StatusCode)
		}
		if resp, _ := other.do("GET", p, nil); resp.StatusCode != 403 {
			t.Errorf("camat.mekarsari GET %s (cached for sukamaju) = %d, want 403", p, resp.StatusCode)
		}
		if resp, _ := one.do("GET", p, nil); resp.StatusCode != 200 {
			t.Errorf("bupati GET %s = %d", p, resp.StatusCode)
		}
	}
	if resp, _ := own.do("GET", "/dasbor/grafik", nil); resp.StatusCode != 403 {
		t.Errorf("camat GET /dasbor/grafik = %d, want 403", resp.StatusCode)
	}
	// The leader's drill-down links back to the dashboard; the camat's (cached apart) does not.
	_, lb := one.do("GET", "/dasbor/2026/zi-2021/sukamaju", nil)
	_, cb := own.do("GET", "/dasbor/2026/zi-2021/sukamaju", nil)
	if !strings.Contains(lb, "← Dasbor") || strings.Contains(cb, "← Dasbor") {
		t.Error("the link back to the dashboard must show for leaders only")
	}
}
