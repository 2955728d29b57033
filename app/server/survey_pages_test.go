package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/survey"
)

// The management pages and the public form without a browser: who may open what, what a
// failed form keeps, the QR code, the export, and the public form's refusals.
func TestSurveyPages(t *testing.T) {
	w := newSurveyWorld(t)
	unit := w.unitWithIKM(assessment.Draft)
	camat := w.api("camat." + unit)
	id, token := w.create(camat, "ikm", unit, 2500)
	get := func(c *client, path string) *http.Response {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Cookie", w.sessionCookie(c))
		resp, err := w.srv.App.Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	// The poster and the QR code: the unit's camat and the admin, nobody else.
	for who, want := range map[string]int{"camat." + unit: 200, "admin": 200, "staf." + unit: 403, "bupati": 403} {
		if st := get(w.api(who), "/kelola-survei/"+id+"/poster").StatusCode; st != want {
			t.Errorf("%s opens the poster: %d, want %d", who, st, want)
		}
	}
	svg := get(camat, "/kelola-survei/"+id+"/qr.svg")
	body, _ := io.ReadAll(svg.Body)
	if svg.Header.Get("Content-Type") != "image/svg+xml" || !bytes.HasPrefix(body, []byte("<svg")) || bytes.Count(body, []byte("h1v1h-1z")) < 200 {
		t.Errorf("qr.svg: %s, %d bytes", svg.Header.Get("Content-Type"), len(body))
	}
	png := get(camat, "/kelola-survei/"+id+"/qr.png")
	body, _ = io.ReadAll(png.Body)
	if png.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(body, []byte("\x89PNG")) {
		t.Errorf("qr.png: %s", png.Header.Get("Content-Type"))
	}
	if page := w.page(camat, "/kelola-survei/"+id+"/poster"); !strings.Contains(page, "example.com/survei/"+token) || !strings.Contains(page, survey.GroupToken(token)) {
		t.Errorf("the poster lacks the short URL or the code")
	}
	// The population reads as people write it: a dot between thousands.
	if page := w.page(camat, "/kelola-survei/"+id); !strings.Contains(page, "populasi 2.500") || strings.Contains(page, "2500") {
		t.Errorf("the results page does not write the population as 2.500")
	}

	// A failed set-up keeps what was typed and says why.
	req := httptest.NewRequest("POST", "/kelola-survei", strings.NewReader(url.Values{"_csrf": {w.csrfOf(camat, "/kelola-survei")},
		"tahun": {"2026"}, "unit": {unit}, "jenis": {"pekppp-f03"}, "layanan": {"Perizinan usaha mikro"}, "populasi": {"banyak"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", w.sessionCookie(camat))
	resp, err := w.srv.App.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), `value="Perizinan usaha mikro"`) || !strings.Contains(string(b), "bilangan bulat") {
		t.Errorf("failed set-up: %d, typed kept %v", resp.StatusCode, strings.Contains(string(b), "Perizinan usaha mikro"))
	}
	// A population out of range is said in Bahasa Indonesia, with the limit as people write it,
	// not as the API's field name.
	req = httptest.NewRequest("POST", "/kelola-survei", strings.NewReader(url.Values{"_csrf": {w.csrfOf(camat, "/kelola-survei")},
		"tahun": {"2026"}, "unit": {unit}, "jenis": {"pekppp-f03"}, "layanan": {"Perizinan usaha mikro"}, "populasi": {"20.000.000"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", w.sessionCookie(camat))
	if resp, err = w.srv.App.Test(req, 30_000); err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	if msg := string(b); resp.StatusCode != 400 || !strings.Contains(msg, "harus 1–10.000.000") || strings.Contains(msg, "Kolom") || strings.Contains(msg, "population") {
		t.Errorf("population out of range: %d, the message in %q", resp.StatusCode, clip(msg[max(0, strings.Index(msg, "galat-buat")):], 300))
	}

	// Answers, then the export: profile and answers, no suggestion.
	if st, body := w.answer(token, ikmAnswers("4", "3", "-", "4", "3", "4", "4", "3", "2"), time.Minute); st != 201 {
		t.Fatalf("answer: %d %v", st, body)
	}
	x := get(w.api("bupati"), "/kelola-survei/"+id+"/respons.xlsx")
	data, _ := io.ReadAll(x.Body)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("XLSX: %v (%d %s)", err, x.StatusCode, x.Header.Get("Content-Type"))
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) != 4 {
		t.Fatalf("XLSX rows = %v, %v", rows, err)
	}
	if h, r := strings.Join(rows[2], "|"), strings.Join(rows[3], "|"); !strings.HasPrefix(h, "No|Umur|Jenis kelamin|Pendidikan|Pekerjaan|U1 ") ||
		r != "1|34|Perempuan|SMA/SMK|Wirausaha|4|3||4|3|4|4|3|2" || strings.Contains(string(data), "Saran") {
		t.Errorf("XLSX header %q, row %q", h, r)
	}
	if st := get(w.api("camat."+w.unitWithIKM(assessment.Draft, unit)), "/kelola-survei/"+id+"/respons.xlsx").StatusCode; st != 403 {
		t.Errorf("another unit's camat exports: %d", st)
	}

	// The public form: a wrong answer comes back with what was typed; no CSRF token is 403;
	// a body past the small limit 413; the code typed off the poster (with dashes) works.
	phone := newFormBrowser(t, w)
	resp, page := phone.do(httptest.NewRequest("GET", "/survei/"+strings.ToUpper(survey.GroupToken(token)), nil))
	if resp.StatusCode != 200 || !strings.Contains(page, `action="/survei/`+token+`"`) {
		t.Fatalf("the typed code: %d", resp.StatusCode)
	}
	post := func(v url.Values) (*http.Response, string) {
		req := httptest.NewRequest("POST", "/survei/"+token, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return phone.do(req)
	}
	csrf, tiket := csrfRe.FindStringSubmatch(page)[1], ticketRe.FindStringSubmatch(page)[1]
	resp, page = post(url.Values{"_csrf": {csrf}, "tiket": {tiket}, "U1": {"7"}, "U2": {"3"}, "saran": {"Loket ramah"}, "umur": {"41"}})
	if resp.StatusCode != 400 || !strings.Contains(page, "id=\"galat-survei\"") || !strings.Contains(page, `name="U2" value="3" checked`) ||
		!strings.Contains(page, "Loket ramah") || !strings.Contains(page, `value="41"`) {
		t.Errorf("a wrong answer: %d, typed kept: %v", resp.StatusCode, strings.Contains(page, "Loket ramah"))
	}
	resp, _ = post(url.Values{"tiket": {tiket}, "U1": {"3"}})
	if resp.StatusCode != 403 {
		t.Errorf("no CSRF token: %d", resp.StatusCode)
	}
	resp, _ = post(url.Values{"_csrf": {csrf}, "tiket": {tiket}, "U1": {"3"}, "saran": {strings.Repeat("x", 16<<10)}})
	if resp.StatusCode != 413 {
		t.Errorf("a huge form: %d", resp.StatusCode)
	}
	resp, _ = post(url.Values{"_csrf": {csrf}, "tiket": {tiket}, "U1": {"3"}, "$where": {"1"}})
	if resp.StatusCode != 400 {
		t.Errorf("a $ key in the form: %d", resp.StatusCode)
	}
	// The kiosk's thank-you page returns to the form by itself.
	_, sv := camat.do("GET", "/api/v1/surveys/"+id, "")
	kiosk := strings.TrimPrefix(sv["kiosk_url"].(string), "http://example.com/survei/")
	_, thanks := newFormBrowser(t, w).do(httptest.NewRequest("GET", "/survei/"+kiosk+"/terima-kasih", nil))
	if !strings.Contains(thanks, `http-equiv="refresh" content="8;url=/survei/`+kiosk+`"`) {
		t.Errorf("kiosk thank-you page without its reset")
	}
	// Closed: the form says so, 410.
	if st, _ := camat.do("POST", "/api/v1/surveys/"+id+"/close", ""); st != 200 {
		t.Fatal("close")
	}
	resp, page = newFormBrowser(t, w).do(httptest.NewRequest("GET", "/survei/"+token, nil))
	if resp.StatusCode != 410 || !strings.Contains(page, "sudah ditutup") {
		t.Errorf("closed survey's form: %d", resp.StatusCode)
	}
	if resp, _ := newFormBrowser(t, w).do(httptest.NewRequest("GET", "/survei/bukan-token", nil)); resp.StatusCode != 404 {
		t.Errorf("an unknown token: %d", resp.StatusCode)
	}
}

// csrfOf returns the CSRF token a signed-in page of c carries.
func (w *surveyWorld) csrfOf(c *client, path string) string {
	w.t.Helper()
	m := csrfRe.FindStringSubmatch(w.page(c, path))
	if m == nil {
		w.t.Fatalf("%s has no CSRF token", path)
	}
	return m[1]
}
