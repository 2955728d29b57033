package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// A normal kiosk flow — citizens one after another at the counter tablet, each taking a minute
// or so, two of them in a row answering "3" to everything — is counted whole; a clerk sending
// identical questionnaires in a burst, straight lines faster than anyone reads, and one phone
// answering twice within minutes are flagged, left out of the result and listed for the admin,
// who can count one back in.
func TestSurveySafeguardsFlagBurstsAndLeaveKioskFlowAlone(t *testing.T) {
	w := newSurveyWorld(t)
	unit := w.unitWithIKM(assessment.Draft)
	camat := w.api("camat." + unit)
	admin := w.api("admin")
	id, token := w.create(camat, "ikm", unit, 2500)
	_, body := camat.do("GET", "/api/v1/surveys/"+id, "")
	kiosk := strings.TrimPrefix(body["kiosk_url"].(string), "http://example.com/survei/")
	if kiosk == token || len(kiosk) != 16 {
		t.Fatalf("kiosk key %q", kiosk)
	}

	// The kiosk: six citizens, 50–80 s each on the form, half a minute between them.
	citizens := []string{
		ikmAnswers("3", "3", "3", "3", "3", "3", "3", "3", "3"),
		ikmAnswers("3", "3", "3", "3", "3", "3", "3", "3", "3"), // the same straight line, a person later
		ikmAnswers("4", "3", "2", "4", "3", "3", "4", "-", "3"),
		ikmAnswers("2", "2", "3", "4", "3", "2", "3", "2", "2"),
		ikmAnswers("4", "4", "4", "4", "3", "4", "4", "4", "4"),
		ikmAnswers("3", "-", "3", "4", "3", "3", "3", "3", "2"),
	}
	for i, a := range citizens {
		if st, body := w.answer(kiosk, a, time.Duration(50+6*i)*time.Second); st != 201 {
			t.Fatalf("kiosk citizen %d: %d %v", i+1, st, body)
		}
		w.advance(30 * time.Second)
	}
	res := w.results(camat, id)
	if res["n"] != 6.0 || res["flagged"] != 0.0 {
		t.Fatalf("normal kiosk flow: n %v, flagged %v (want 6 counted, none flagged)", res["n"], res["flagged"])
	}

	// A clerk at the same tablet: five identical questionnaires, each "filled" in 40 s.
	w.advance(10 * time.Minute)
	clerk := ikmAnswers("4", "4", "4", "4", "4", "4", "4", "4", "3")
	for i := range 5 {
		if st, body := w.answer(kiosk, clerk, 40*time.Second); st != 201 {
			t.Fatalf("clerk %d: %d %v", i+1, st, body)
		}
	}
	// A straight line sent 8 s after the form was served, and one through the API without a
	// form ticket (time unknown).
	w.advance(10 * time.Minute)
	if st, body := w.answer(token, ikmAnswers("4", "4", "4", "4", "4", "4", "4", "4", "4"), 8*time.Second); st != 201 {
		t.Fatalf("fast: %d %v", st, body)
	}
	if st, body := w.anon().do("POST", "/api/v1/public/surveys/"+token+"/responses", `{"answers":`+ikmAnswers("1", "1", "1", "1", "1", "1", "1", "1", "1")+`}`); st != 201 {
		t.Fatalf("no ticket: %d %v", st, body)
	}
	// One phone, through the page form, twice within five minutes (different answers).
	w.advance(10 * time.Minute)
	phone := newFormBrowser(t, w)
	phone.answer(token, map[string]string{"U1": "4", "U2": "3", "U3": "3", "U4": "4", "U5": "3", "U6": "4", "U7": "4", "U8": "3", "U9": "3"}, time.Minute)
	w.advance(4 * time.Minute)
	phone.answer(token, map[string]string{"U1": "3", "U2": "3", "U3": "2", "U4": "4", "U5": "3", "U6": "3", "U7": "3", "U8": "3", "U9": "3"}, time.Minute)
	// Another phone, a quarter of an hour later: not the same device.
	w.advance(15 * time.Minute)
	newFormBrowser(t, w).answer(token, map[string]string{"U1": "4", "U2": "4", "U3": "3", "U4": "4", "U5": "3", "U6": "4", "U7": "4", "U8": "3", "U9": "4"}, time.Minute)

	res = w.results(camat, id)
	// Counted: the 6 citizens, the phone's first answer, the other phone.
	if res["n"] != 8.0 || res["flagged"] != 8.0 || res["received"] != 16.0 {
		t.Fatalf("after the burst: n %v, flagged %v, received %v; want 8, 8 (5 burst, 2 fast, 1 device), 16", res["n"], res["flagged"], res["received"])
	}
	st, body := admin.do("GET", "/api/v1/surveys/"+id+"/flagged", "")
	if st != 200 {
		t.Fatalf("flagged list: %d %v", st, body)
	}
	reasons := map[string]int{}
	var deviceSeq float64
	for _, x := range body["flagged"].([]any) {
		f := x.(map[string]any)
		for _, r := range f["reasons"].([]any) {
			reasons[r.(string)]++
			if r == "perangkat" {
				deviceSeq = f["seq"].(float64)
			}
		}
	}
	if reasons["beruntun"] != 5 || reasons["cepat"] != 2 || reasons["perangkat"] != 1 {
		t.Errorf("reasons = %v, want 5 beruntun, 2 cepat, 1 perangkat", reasons)
	}
	// Only the admin lists and includes.
	if st, _ := camat.do("GET", "/api/v1/surveys/"+id+"/flagged", ""); st != 403 {
		t.Errorf("camat lists the flagged: %d", st)
	}
	path := fmt.Sprintf("/api/v1/surveys/%s/responses/%d/included", id, int(deviceSeq))
	if st, _ := camat.do("PUT", path, `{"included":true}`); st != 403 {
		t.Errorf("camat includes: %d", st)
	}
	if st, body := admin.do("PUT", path, `{"included":"ya"}`); st != 400 {
		t.Errorf("included of the wrong type: %d %v", st, body)
	}
	if st, body := admin.do("PUT", fmt.Sprintf("/api/v1/surveys/%s/responses/1/included", id), `{"included":true}`); st != 400 {
		t.Errorf("including an unflagged response: %d %v", st, body)
	}
	if st, body := admin.do("PUT", path, `{"included":true}`); st != 200 {
		t.Fatalf("include: %d %v", st, body)
	}
	if res := w.results(camat, id); res["n"] != 9.0 || res["flagged"] != 7.0 {
		t.Errorf("after including: n %v, flagged %v", res["n"], res["flagged"])
	}
	if got := w.auditOf(audit4(t, w), "survey.include"); !strings.Contains(got, "disertakan kembali") {
		t.Errorf("audit of the inclusion: %q", got)
	}
}

// formBrowser fills the public form the way a phone's browser does, with its cookies (the
// CSRF nonce, the respondent id), without JavaScript.
type formBrowser struct {
	t       *testing.T
	w       *surveyWorld
	cookies map[string]string
}

func newFormBrowser(t *testing.T, w *surveyWorld) *formBrowser {
	return &formBrowser{t: t, w: w, cookies: map[string]string{}}
}

func (b *formBrowser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	var cs []string
	for k, v := range b.cookies {
		cs = append(cs, k+"="+v)
	}
	if len(cs) > 0 {
		req.Header.Set("Cookie", strings.Join(cs, "; "))
	}
	resp, err := b.w.srv.App.Test(req, 30_000)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		b.cookies[c.Name] = c.Value
	}
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

var ticketRe = regexp.MustCompile(`name="tiket" value="([^"]+)"`)

// answer opens the form, waits took, and sends fields; it fails unless the thank-you page
// follows.
func (b *formBrowser) answer(token string, fields map[string]string, took time.Duration) {
	b.t.Helper()
	resp, page := b.do(httptest.NewRequest("GET", "/survei/"+token, nil))
	if resp.StatusCode != 200 {
		b.t.Fatalf("form: %d %.300s", resp.StatusCode, page)
	}
	csrf, tiket := csrfRe.FindStringSubmatch(page), ticketRe.FindStringSubmatch(page)
	if csrf == nil || tiket == nil {
		b.t.Fatalf("form without its tokens: %.500s", page)
	}
	b.w.advance(took)
	v := url.Values{"_csrf": {csrf[1]}, "tiket": {tiket[1]}}
	for k, x := range fields {
		v.Set(k, x)
	}
	req := httptest.NewRequest("POST", "/survei/"+token, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, page = b.do(req)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/survei/"+token+"/terima-kasih" {
		b.t.Fatalf("sending the form: %d %s %.300s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
}
