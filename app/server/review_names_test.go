package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/review"
	"github.com/rapor-rb/raporrb/seed/demo"
)

// A stale save on the review page (a card's review, an area's finding) names the colleague
// who saved in between as people know them, never by their login ("telah diubah oleh
// Auditor Inspektorat Wilayah I", not "oleh evaluator3"), and the finding's area as "ini"
// (its form is headed by the area's title), not by its code ("Temuan area P.MP").
func TestReviewConflictNamesThePerson(t *testing.T) {
	_, res, srv := freshDemo(t)
	api := login(t, srv, "inspektur")
	apiPath, unit := submittedZI(t, api)
	zi, _ := catalog.Get("zi-2021")
	var code, option string
	for c, a := range answersOf(t, api, apiPath) {
		if sc := zi.ScaleOf(c); sc.Kind == instrument.KindChoice && a["self"] != nil && code == "" {
			code, option = c, zi.Choices(c)[0].Key
		}
	}
	if code == "" {
		t.Fatal("no answered choice indicator")
	}
	member := accountName(t, res, "evaluator3")
	base := fmt.Sprintf("/reviu/%d/zi-2021/%s", demoNow.Year(), unit)
	open := func(user string) (*page, string) {
		p := &page{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
		p.login(user)
		_, body := p.do("GET", base, nil)
		m := csrfRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no CSRF token on the review page", user)
		}
		return p, m[1]
	}
	// Both open the page at the same revision; the member saves first.
	lead, leadToken := open("inspektur")
	mem, memToken := open("evaluator3")
	area := review.FindingAreas(zi)[0]
	for _, hx := range []bool{true, false} {
		lead.header, mem.header = nil, nil
		if hx {
			lead.header, mem.header = http.Header{"Hx-Request": {"true"}}, http.Header{"Hx-Request": {"true"}}
		}
		rev := "0"
		if !hx {
			rev = "1"
		}
		save := func(p *page, token, comment string) (*http.Response, string) {
			return p.do("POST", base+"/indikator/"+code, url.Values{"_csrf": {token}, "rev": {rev}, "nilai": {option}, "verdict": {"sesuai"}, "komentar": {comment}})
		}
		if resp, _ := save(mem, memToken, "Versi anggota tim."); resp.StatusCode != 200 && resp.StatusCode != 303 {
			t.Fatalf("the member's save = %d", resp.StatusCode)
		}
		resp, body := save(lead, leadToken, "Versi ketua tim.")
		if resp.StatusCode != 409 {
			t.Fatalf("htmx %v: the stale save = %d, want 409", hx, resp.StatusCode)
		}
		if !strings.Contains(body, "telah diubah oleh "+member+".") || strings.Contains(body, "oleh evaluator3") {
			t.Errorf("htmx %v: the conflict does not name %q: %.300s", hx, member, conflictText(body))
		}
		if !strings.Contains(body, "Versi ketua tim.") {
			t.Errorf("htmx %v: the lead's typed comment is gone", hx)
		}

		finding := func(p *page, token, kondisi string) (*http.Response, string) {
			return p.do("POST", base+"/temuan/"+area, url.Values{"_csrf": {token}, "rev": {rev}, "kondisi": {kondisi}, "rekomendasi": {"Lengkapi."}})
		}
		if resp, _ := finding(mem, memToken, "Kondisi anggota."); resp.StatusCode != 200 && resp.StatusCode != 303 {
			t.Fatalf("the member's finding = %d", resp.StatusCode)
		}
		resp, body = finding(lead, leadToken, "Kondisi ketua.")
		if resp.StatusCode != 409 {
			t.Fatalf("htmx %v: the stale finding = %d, want 409", hx, resp.StatusCode)
		}
		if !strings.Contains(body, "Temuan area ini telah diubah oleh "+member+".") || strings.Contains(body, "oleh evaluator3") {
			t.Errorf("htmx %v: the finding's conflict does not name %q: %.300s", hx, member, conflictText(body))
		}
		if !strings.Contains(body, "Kondisi ketua.") {
			t.Errorf("htmx %v: the lead's typed finding is gone", hx)
		}
	}
}

// conflictText is the part of a page around its conflict message.
func conflictText(body string) string {
	if i := strings.Index(body, "telah diubah"); i >= 0 {
		return body[max(0, i-100):]
	}
	return body
}

// accountName is the name of a demo account, which must differ from its username.
func accountName(t *testing.T, res demo.Result, username string) string {
	t.Helper()
	for _, a := range res.Accounts {
		if a.Username == username && a.Name != "" && a.Name != username {
			return a.Name
		}
	}
	t.Fatalf("%s has no name of their own", username)
	return ""
}
