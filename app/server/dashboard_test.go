package server

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/web"
)

// The dashboard year: the demo's current period.
const dashYear = 2026

// fetch sends a request with the client's bearer token and returns the raw response body
// (exports are files, not JSON).
func (c *client) fetch(method, path string) (*http.Response, []byte) {
	c.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.srv.App.Test(req, 60_000)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, b
}

// mustGet is a GET that must answer 200 with JSON.
func (c *client) mustGet(path string) map[string]any {
	c.t.Helper()
	st, b := c.do("GET", path, "")
	if st != 200 {
		c.t.Fatalf("GET %s = %d %v", path, st, b)
	}
	return b
}

// objects returns body[key] as a list of JSON objects.
func objects(t *testing.T, body map[string]any, key string) []map[string]any {
	t.Helper()
	list, ok := body[key].([]any)
	if !ok {
		t.Fatalf("%q is not a list in %.300v", key, body)
	}
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

// num reads a JSON number; ok is false for null or a missing key.
func num(m map[string]any, key string) (float64, bool) {
	x, ok := m[key].(float64)
	return x, ok
}

// fmt2 is a decimal as the exports write it: '.' and 2 places.
func fmt2(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// id2 is fmt2 with a decimal comma, as the Indonesian CSV writes numbers.
func id2(x float64) string { return strings.Replace(fmt2(x), ".", ",", 1) }

// newPage is a cookie browser on srv.
func newPage(t *testing.T, srv *web.Server) *page {
	return &page{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
}

// periodInstruments lists the instrument ids of the dashboard period, in the period's order.
func periodInstruments(t *testing.T, c *client) []string {
	t.Helper()
	var ids []string
	for _, w := range objects(t, c.mustGet(fmt.Sprintf("/api/v1/composite?period=%d", dashYear)), "weights") {
		ids = append(ids, w["instrument"].(string))
	}
	if len(ids) != 5 {
		t.Fatalf("period %d has instruments %v, want the 5 of the demo", dashYear, ids)
	}
	return ids
}

// rankingRows is GET /api/v1/rankings for the dashboard year.
func rankingRows(t *testing.T, c *client, instID string) []map[string]any {
	t.Helper()
	rows := objects(t, c.mustGet(fmt.Sprintf("/api/v1/rankings?period=%d&instrument=%s", dashYear, instID)), "rows")
	if len(rows) != demoRes.Units-1 {
		t.Fatalf("%s: %d ranking rows, want one per kecamatan (%d)", instID, len(rows), demoRes.Units-1)
	}
	return rows
}

// weightsBody is a PUT /api/v1/composite-weights body.
func weightsBody(ws map[string]float64, order []string, rev int64) string {
	parts := make([]string, 0, len(order))
	for _, id := range order {
		parts = append(parts, fmt.Sprintf(`{"instrument":%q,"weight":%v}`, id, ws[id]))
	}
	return fmt.Sprintf(`{"weights":[%s],"rev":%d}`, strings.Join(parts, ","), rev)
}

// currentWeights is GET /api/v1/composite-weights as a map and the rev.
func currentWeights(t *testing.T, c *client) (map[string]float64, int64) {
	t.Helper()
	b := c.mustGet("/api/v1/composite-weights")
	out := map[string]float64{}
	for _, w := range objects(t, b, "weights") {
		out[w["instrument"].(string)] = w["weight"].(float64)
	}
	rev, ok := num(b, "rev")
	if !ok {
		t.Fatalf("composite-weights without rev: %v", b)
	}
	return out, int64(rev)
}

// restoreEqualWeights puts every instrument back at weight 1 when the test ends: the weights
// are one global document that other tests read.
func restoreEqualWeights(t *testing.T, admin *client) {
	t.Cleanup(func() {
		cur, rev := currentWeights(t, admin)
		ids := make([]string, 0, len(cur))
		equal := map[string]float64{}
		for id := range cur {
			ids = append(ids, id)
			equal[id] = 1
		}
		slices.Sort(ids)
		if st, b := admin.do("PUT", "/api/v1/composite-weights", weightsBody(equal, ids, rev)); st != 200 {
			t.Errorf("restoring equal weights = %d %v", st, b)
		}
	})
}

// tableUnits returns the data-unit of every row of the table with that id.
func tableUnits(t *testing.T, html, id string) (units, names []string) {
	t.Helper()
	i := strings.Index(html, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no table %s on the page", id)
	}
	end := strings.Index(html[i:], "</table>")
	if end < 0 {
		t.Fatalf("table %s not closed", id)
	}
	seg := html[i : i+end]
	for _, m := range regexp.MustCompile(`<tr data-unit="([^"]+)"`).FindAllStringSubmatch(seg, -1) {
		units = append(units, m[1])
	}
	for _, m := range regexp.MustCompile(`<a class="drill" href="[^"]*">([^<]*)</a>`).FindAllStringSubmatch(seg, -1) {
		names = append(names, m[1])
	}
	return units, names
}

// TestDashboardPages: the dashboard, the drill-down and the rapor for the bupati; unknown
// years, instruments and units are 404; a camat sees only their own drill-down; an evaluator
// exports only assigned sheets.
func TestDashboardPages(t *testing.T) {
	srv := newServer(t, web.Config{})
	api := login(t, srv, "bupati")
	ids := periodInstruments(t, api)
	p := newPage(t, srv)
	p.login("bupati")

	resp, body := p.do("GET", "/dasbor", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/dasbor = %d", resp.StatusCode)
	}
	for _, id := range ids {
		units, _ := tableUnits(t, body, "tabel-"+id)
		if len(units) != demoRes.Units-1 {
			t.Errorf("table %s has %d rows, want %d", id, len(units), demoRes.Units-1)
		}
		var want []string
		for _, r := range rankingRows(t, api, id) {
			want = append(want, r["unit"].(string))
		}
		if !slices.Equal(units, want) {
			t.Errorf("table %s order %v, API %v", id, units, want)
		}
	}
	if units, _ := tableUnits(t, body, "tabel-komposit"); len(units) != demoRes.Units-1 {
		t.Errorf("composite table has %d rows", len(units))
	}
	// Every CSV download is a link in both dialects: nobody is told to edit a URL.
	for _, id := range append(ids, "komposit") {
		for _, href := range []string{
			fmt.Sprintf(`href="/ekspor/%d/peringkat.csv?instrumen=%s"`, dashYear, id),
			fmt.Sprintf(`href="/ekspor/%d/peringkat.csv?instrumen=%s&amp;pemisah=koma"`, dashYear, id),
		} {
			if !strings.Contains(body, href) {
				t.Errorf("/dasbor has no link %s", href)
			}
		}
	}
	if strings.Contains(body, "tambahkan") {
		t.Errorf("/dasbor still tells the reader to edit a URL")
	}

	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/dasbor?tahun=2030", 404},
		{"/dasbor?instrumen=nope", 404},
		{"/dasbor/2026/zi-2021/nope", 404},
		{"/dasbor/2026/nope/sukamaju", 404},
		{"/dasbor/2030/zi-2021/sukamaju", 404},
		{"/rapor/2026/nope", 404},
		{"/rapor/2030/sukamaju", 404},
		{"/dasbor?tahun=2025", 200},
		{"/dasbor?instrumen=pekppp-2022", 200},
	} {
		if resp, _ := p.do("GET", tc.path, nil); resp.StatusCode != tc.status {
			t.Errorf("GET %s = %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}

	// The search keeps the matching kecamatan only, in every table.
	var want []string
	for _, r := range rankingRows(t, api, "zi-2021") {
		if strings.Contains(strings.ToLower(r["name"].(string)), "suka") {
			want = append(want, r["name"].(string))
		}
	}
	resp, body = p.do("GET", "/dasbor?cari=suka", nil)
	_, names := tableUnits(t, body, "tabel-zi-2021")
	if resp.StatusCode != 200 || len(want) < 2 || !slices.Equal(names, want) {
		t.Errorf("search 'suka' = %d, ZI table %v, want %v", resp.StatusCode, names, want)
	}

	// Drill-down and rapor.
	resp, body = p.do("GET", "/dasbor/2026/zi-2021/tanjungsari", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Tanjungsari") || !strings.Contains(body, `id="jalur"`) {
		t.Errorf("drill-down = %d", resp.StatusCode)
	}
	resp, body = p.do("GET", "/rapor/2026/sukamaju", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Sukamaju") {
		t.Fatalf("rapor = %d", resp.StatusCode)
	}
	for _, id := range ids {
		inst, _ := catalog.Get(id)
		if !strings.Contains(body, template.HTMLEscapeString(inst.Title)) || !strings.Contains(body, `data-instrument="`+id+`"`) {
			t.Errorf("rapor lacks %s (%q)", id, inst.Title)
		}
	}

	// A camat: no dashboard, no rapor, no exports of the ranking; their own drill-down only.
	cp := newPage(t, srv)
	cp.login("camat.sukamaju")
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/dasbor", 403},
		{"/rapor/2026/sukamaju", 403},
		{"/ekspor/2026/peringkat.xlsx", 403},
		{"/ekspor/2026/peringkat.csv?instrumen=zi-2021", 403},
		{"/dasbor/2026/zi-2021/sukamaju", 200},
		{"/dasbor/2026/zi-2021/tanjungsari", 403},
		{"/ekspor/2026/zi-2021/sukamaju/lke.xlsx", 200},
		{"/ekspor/2026/zi-2021/tanjungsari/lke.xlsx", 403},
	} {
		if resp, _ := cp.do("GET", tc.path, nil); resp.StatusCode != tc.status {
			t.Errorf("camat GET %s = %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}

	// An evaluator exports the sheets assigned to them only.
	ev := login(t, srv, "inspektur")
	assigned := map[string]bool{}
	for _, a := range objects(t, ev.mustGet(fmt.Sprintf("/api/v1/assessments?period=%d&instrument=zi-2021", dashYear)), "assessments") {
		assigned[a["unit"].(string)] = true
	}
	var in, out string
	for _, r := range rankingRows(t, api, "zi-2021") {
		u := r["unit"].(string)
		if assigned[u] && in == "" {
			in = u
		}
		if !assigned[u] && out == "" {
			out = u
		}
	}
	if in == "" || out == "" {
		t.Fatalf("inspektur assigned %v: need an assigned and an unassigned unit", assigned)
	}
	if resp, _ := ev.fetch("GET", fmt.Sprintf("/ekspor/%d/zi-2021/%s/lke.xlsx", dashYear, out)); resp.StatusCode != 403 {
		t.Errorf("evaluator LKE of unassigned %s = %d, want 403", out, resp.StatusCode)
	}
	if resp, _ := ev.fetch("GET", fmt.Sprintf("/ekspor/%d/zi-2021/%s/lke.xlsx", dashYear, in)); resp.StatusCode != 200 {
		t.Errorf("evaluator LKE of assigned %s = %d, want 200", in, resp.StatusCode)
	}
	if resp, _ := ev.fetch("GET", fmt.Sprintf("/ekspor/%d/peringkat.xlsx", dashYear)); resp.StatusCode != 403 {
		t.Errorf("evaluator ranking export = %d, want 403", resp.StatusCode)
	}
}

// TestDashboardPimpinanWritesNothing: the bupati reads everything and writes nothing, through
// the API and through the admin form.
func TestDashboardPimpinanWritesNothing(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	admin := login(t, srv, "admin")
	_, rev := currentWeights(t, admin)
	unit := "sukamaju" // a draft in 2026
	path := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", dashYear, unit)
	a := c.mustGet(path)
	if a["status"] != "draf" {
		t.Fatalf("%s is %v, want a draft", unit, a["status"])
	}
	sheetRev := a["rev"]

	st, b := c.do("PUT", path+"/answers/P.MP.PM.1.a", `{"answer": "Ya", "rev": 0}`)
	wantError(t, st, b, 403, "forbidden")
	st, b = c.do("POST", path+"/submit", "")
	wantError(t, st, b, 403, "forbidden")
	st, b = c.do("PUT", "/api/v1/composite-weights", fmt.Sprintf(`{"weights":[{"instrument":"zi-2021","weight":5}],"rev":%d}`, rev))
	wantError(t, st, b, 403, "forbidden")

	p := newPage(t, srv)
	p.login("bupati")
	_, body := p.do("GET", "/dasbor", nil)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the dashboard page")
	}
	resp, _ := p.do("POST", "/admin/bobot-komposit", url.Values{"_csrf": {m[1]}, "rev": {fmt.Sprint(rev)}, "w_zi-2021": {"5"}})
	if resp.StatusCode != 403 {
		t.Errorf("bupati POST /admin/bobot-komposit = %d, want 403", resp.StatusCode)
	}
	if resp, _ := p.do("GET", "/admin/bobot-komposit", nil); resp.StatusCode != 403 {
		t.Errorf("bupati GET /admin/bobot-komposit = %d, want 403", resp.StatusCode)
	}

	if _, after := currentWeights(t, admin); after != rev {
		t.Errorf("weights rev moved %d → %d", rev, after)
	}
	if a := c.mustGet(path); a["status"] != "draf" || a["rev"] != sheetRev {
		t.Errorf("assessment changed: status %v rev %v (was %v)", a["status"], a["rev"], sheetRev)
	}
}

// TestDashboardRankingCacheInvalidated: an answer saved through the API shows in the very next
// ranking, composite index and dashboard, although the ranking was cached just before.
func TestDashboardRankingCacheInvalidated(t *testing.T) {
	srv := newServer(t, web.Config{})
	bupati := login(t, srv, "bupati")
	// A draft other than the one TestAPIAnswerWrites and the evidence test use (the first) and
	// the showcase's.
	first := draftUnit(t, bupati)
	var unit string
	for _, a := range objects(t, bupati.mustGet(fmt.Sprintf("/api/v1/assessments?period=%d&instrument=zi-2021", dashYear)), "assessments") {
		if u := a["unit"].(string); a["status"] == "draf" && u != first && u != "sukamaju" {
			unit = u
		}
	}
	if unit == "" {
		t.Fatal("no second draft ZI assessment")
	}
	rowOf := func(rows []map[string]any) map[string]any {
		for _, r := range rows {
			if r["unit"] == unit {
				return r
			}
		}
		t.Fatalf("%s not in the ranking", unit)
		return nil
	}
	// Prime the cache.
	before := rowOf(rankingRows(t, bupati, "zi-2021"))
	oldSelf, _ := num(before, "self")
	bupati.mustGet(fmt.Sprintf("/api/v1/composite?period=%d", dashYear))

	camat := login(t, srv, "camat."+unit)
	path := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", dashYear, unit)
	const code = "P.MP.PM.1.a" // Ya/Tidak
	answer := "Ya"
	for _, x := range objects(t, camat.mustGet(path), "answers") {
		if x["indicator"] == code {
			if s, ok := x["self"].(map[string]any); ok && s["option"] == "Ya" {
				answer = "Tidak"
			}
		}
	}
	st, b := camat.do("PUT", path+"/answers/"+code, fmt.Sprintf(`{"answer": %q, "rev": %d}`, answer, answerRev(t, camat, path, code)))
	if st != 200 {
		t.Fatalf("save = %d %v", st, b)
	}
	newSelf, _ := num(b["self"].(map[string]any), "total")
	if newSelf == oldSelf {
		t.Fatalf("answering %s %s did not move the self total (%v)", code, answer, oldSelf)
	}

	after := rowOf(rankingRows(t, bupati, "zi-2021"))
	if self, _ := num(after, "self"); self != newSelf {
		t.Errorf("ranking self of %s = %v after the save, want %v (was %v): stale cache", unit, self, newSelf, oldSelf)
	}
	if score, _ := num(after, "score"); score != newSelf {
		t.Errorf("ranking score of %s = %v, want the new self %v", unit, score, newSelf)
	}
	for _, r := range objects(t, bupati.mustGet(fmt.Sprintf("/api/v1/composite?period=%d", dashYear)), "rows") {
		if r["unit"] != unit {
			continue
		}
		for _, p := range objects(t, r, "parts") {
			if s, _ := num(p, "score"); p["instrument"] == "zi-2021" && math.Abs(s-newSelf) > 0.005 {
				t.Errorf("composite zi part of %s = %v, want %v", unit, s, newSelf)
			}
		}
	}
	pg := newPage(t, srv)
	pg.login("bupati")
	_, body := pg.do("GET", "/dasbor", nil)
	if i := strings.Index(body, `id="tabel-zi-2021"`); i >= 0 {
		body = body[i:]
	}
	re := regexp.MustCompile(`<tr data-unit="` + regexp.QuoteMeta(unit) + `">\s*<td class="num">\d+</td>\s*<td>[^\n]*</td>\s*<td class="num score" data-score="([^"]+)"`)
	if m := re.FindStringSubmatch(body); m == nil || m[1] != strconv.FormatFloat(newSelf, 'f', -1, 64) {
		t.Errorf("dashboard score of %s = %v, want %v", unit, m, newSelf)
	}
}

// TestDashboardRankingsByParent: ?parent= ranks the children of one unit among themselves; the
// ranking and composite APIs are for leaders only.
func TestDashboardRankingsByParent(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	all := rankingRows(t, c, "zi-2021")
	kids := objects(t, c.mustGet(fmt.Sprintf("/api/v1/rankings?period=%d&instrument=zi-2021&parent=kab-contoh", dashYear)), "rows")
	if len(kids) != len(all) {
		t.Fatalf("children of the kabupaten: %d rows, want %d", len(kids), len(all))
	}
	for i := range all {
		if kids[i]["unit"] != all[i]["unit"] || kids[i]["rank"] != all[i]["rank"] || kids[i]["score"] != all[i]["score"] {
			t.Errorf("row %d: by parent %v, all %v", i, kids[i], all[i])
		}
	}
	b := c.mustGet(fmt.Sprintf("/api/v1/rankings?period=%d&instrument=zi-2021&parent=sukamaju", dashYear))
	if rows := objects(t, b, "rows"); len(rows) != 0 {
		t.Errorf("children of a kecamatan: %v", rows)
	}
	// The earlier years are ranked too, from their own boards.
	prev := objects(t, c.mustGet(fmt.Sprintf("/api/v1/rankings?period=%d&instrument=zi-2021", dashYear-1)), "rows")
	if len(prev) != len(all) {
		t.Errorf("%d rows in %d", len(prev), dashYear-1)
	}
	for _, r := range prev {
		if _, ok := num(r, "final"); !ok || r["status"] != "final" {
			t.Errorf("%d row %v is not final; every earlier assessment is", dashYear-1, r["unit"])
			break
		}
	}
	st, b := c.do("GET", "/api/v1/composite?period=2030", "")
	wantError(t, st, b, 404, "not_found")
	for _, who := range []string{"camat.sukamaju", "inspektur"} {
		u := login(t, srv, who)
		for _, path := range []string{"/api/v1/rankings?instrument=zi-2021", "/api/v1/composite", "/api/v1/composite-weights"} {
			st, b := u.do("GET", path, "")
			wantError(t, st, b, 403, "forbidden")
		}
	}
}
