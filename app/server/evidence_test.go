package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/web"
)

var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts one multipart file as the client's user and returns status and JSON body.
func (c *client) upload(path, name string, content []byte) (int, map[string]any) {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	// RFC 2231 encoding, as browsers do for unusual names, so any byte can be sent.
	fw, _ := w.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename*=UTF-8''` + url.PathEscape(name)}})
	fw.Write(content)
	w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.srv.App.Test(req, 30_000)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func evidenceOf(t *testing.T, c *client, path, code string) []any {
	t.Helper()
	_, b := c.do("GET", path, "")
	for _, a := range b["answers"].([]any) {
		if m := a.(map[string]any); m["indicator"] == code {
			ev, _ := m["evidence"].([]any)
			return ev
		}
	}
	return nil
}

func TestAPIEvidenceUploadsAndHostileFiles(t *testing.T) {
	srv := newServer(t, web.Config{UploadMax: 64 << 10})
	unit := draftUnit(t, login(t, srv, "bupati"))
	camat := login(t, srv, "camat."+unit)
	path := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", demoNow.Year(), unit)
	code := "P.MP.PM.2.a"
	before := len(evidenceOf(t, camat, path, code))

	st, b := camat.upload(path+"/answers/"+code+"/evidence", "Rencana Kerja ZI.pdf", pdfBytes)
	if st != 201 {
		t.Fatalf("pdf upload = %d %v", st, b)
	}
	e := b["evidence"].([]any)[0].(map[string]any)
	if e["type"] != "application/pdf" || e["kind"] != "file" || len(e["id"].(string)) != 64 {
		t.Errorf("evidence = %v", e)
	}
	if st, b := camat.upload(path+"/answers/"+code+"/evidence", "foto.png", pngBytes(t)); st != 201 {
		t.Fatalf("png upload = %d %v", st, b)
	}
	if st, b := camat.do("POST", path+"/answers/"+code+"/evidence", `{"url": "https://dokumen.contoh.go.id/zi/rencana"}`); st != 201 {
		t.Fatalf("link = %d %v", st, b)
	}
	want := before + 3
	if got := len(evidenceOf(t, camat, path, code)); got != want {
		t.Fatalf("%d evidence items, want %d", got, want)
	}

	// The download: sniffed type, nosniff, inline for PDF, a CSP that runs nothing.
	req := httptest.NewRequest("GET", path+"/evidence/"+e["id"].(string), nil)
	req.Header.Set("Authorization", "Bearer "+camat.token)
	resp, err := srv.App.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(got, pdfBytes) || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("download = %d %v", resp.StatusCode, resp.Header)
	}
	other := login(t, srv, demoRes.Accounts[3].Username)
	if st, b := other.do("GET", path+"/evidence/"+e["id"].(string), ""); st != 403 {
		t.Errorf("another kecamatan downloads = %d %v", st, b)
	}
	if st, _ := login(t, srv, "bupati").do("GET", path+"/evidence/"+strings.Repeat("0", 64), ""); st != 404 {
		t.Errorf("unknown evidence = %d", st)
	}

	for _, tc := range []struct {
		name, file string
		content    []byte
		status     int
		mentions   string
	}{
		{"html renamed pdf", "laporan.pdf", []byte("<!doctype html><html><script>alert(1)</script></html>"), 400, "tidak diizinkan"},
		{"executable renamed pdf", "laporan.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...), 400, "tidak diizinkan"},
		{"zero bytes", "kosong.pdf", nil, 400, "kosong"},
		{"over the limit", "besar.pdf", append(append([]byte{}, pdfBytes...), make([]byte, 65<<10)...), 413, "batas"},
		{"far over the limit, refused before reading", "besar.pdf", append(append([]byte{}, pdfBytes...), make([]byte, 3<<20)...), 413, "batas"},
		{"path separators", "../../etc/passwd.pdf", pdfBytes, 400, "Nama berkas"},
		{"control characters", "lapor\x01an.pdf", pdfBytes, 400, "Nama berkas"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := camat.upload(path+"/answers/"+code+"/evidence", tc.file, tc.content)
			msg, _ := b["error"].(string)
			if st != tc.status || !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.mentions)) {
				t.Errorf("= %d %v, want %d mentioning %q", st, b, tc.status, tc.mentions)
			}
			if got := len(evidenceOf(t, camat, path, code)); got != want {
				t.Errorf("evidence changed: %d items, want %d", got, want)
			}
		})
	}
	// A body past the server's buffer is streamed to the evidence store, which stops at the limit.
	big := newServer(t, web.Config{UploadMax: 2 << 20})
	bigCamat := login(t, big, "camat."+unit)
	if st, b := bigCamat.upload(path+"/answers/"+code+"/evidence", "besar.pdf", append(append([]byte{}, pdfBytes...), make([]byte, 3<<20)...)); st != 413 || !strings.Contains(b["error"].(string), "2 MB") {
		t.Errorf("streamed upload over the limit = %d %v", st, b)
	}
	if got := len(evidenceOf(t, camat, path, code)); got != want {
		t.Errorf("evidence changed by the streamed upload: %d items, want %d", got, want)
	}
	if st, b := camat.do("POST", path+"/answers/"+code+"/evidence", `{"url": "javascript:alert(1)"}`); st != 400 {
		t.Errorf("javascript: link = %d %v", st, b)
	}
	if st, b := other.upload(path+"/answers/"+code+"/evidence", "x.pdf", pdfBytes); st != 403 {
		t.Errorf("another kecamatan uploads = %d %v", st, b)
	}

	// The same bytes from another kecamatan are accepted and flagged to readers of either sheet.
	otherPath := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", demoNow.Year(), demoRes.Accounts[3].Unit)
	if st, b := other.upload(otherPath+"/answers/"+code+"/evidence", "salinan.pdf", pdfBytes); st != 201 {
		t.Fatalf("same bytes elsewhere = %d %v", st, b)
	}
	bupati := &page{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
	bupati.login("bupati")
	_, html := bupati.do("GET", strings.Replace(path, "/api/v1/assessments", "/penilaian", 1), nil)
	if !strings.Contains(html, "berkas sama dengan: "+demoRes.Accounts[3].Unit) {
		t.Error("the bupati is not told that two kecamatan uploaded the same file")
	}
	// Removal: the bytes stay while another sheet links them.
	if st, b := camat.do("DELETE", path+"/answers/"+code+"/evidence/"+e["id"].(string), ""); st != 204 {
		t.Fatalf("remove = %d %v", st, b)
	}
	if got := len(evidenceOf(t, camat, path, code)); got != want-1 {
		t.Errorf("after removal %d items, want %d", got, want-1)
	}
	req = httptest.NewRequest("GET", otherPath+"/evidence/"+e["id"].(string), nil)
	req.Header.Set("Authorization", "Bearer "+other.token)
	if resp, err := srv.App.Test(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("bytes shared with another sheet were deleted: %v %v", resp.StatusCode, err)
	}
}

// The demo's file evidence is names without bytes: opening one says so (page and API), in
// place of a bare "not found" that reads like a fault.
func TestDemoEvidenceWithoutBytesSaysSo(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "camat.sukamaju")
	path := "/api/v1/assessments/2026/zi-2021/sukamaju"
	_, a := c.do("GET", path, "")
	var sha, name string
	for _, x := range a["answers"].([]any) {
		ev, _ := x.(map[string]any)["evidence"].([]any)
		for _, e := range ev {
			if m := e.(map[string]any); m["kind"] == "file" {
				sha, name = m["id"].(string), m["name"].(string)
			}
		}
	}
	if sha == "" {
		t.Fatal("the demo's ZI sheet of Sukamaju has no file evidence")
	}
	st, b := c.do("GET", path+"/evidence/"+sha, "")
	wantError(t, st, b, 404, "not_found")
	if msg, _ := b["error"].(string); !strings.Contains(msg, "tidak tersimpan") || !strings.Contains(msg, name) || !strings.Contains(msg, "data contoh") {
		t.Errorf("message %q: want it to name the file and say the demo's files have no content", msg)
	}
	p := newPage(t, srv)
	p.login("camat.sukamaju")
	resp, html := p.do("GET", "/penilaian/2026/zi-2021/sukamaju/berkas/"+sha, nil)
	if resp.StatusCode != 404 || !strings.Contains(html, "tidak tersimpan") {
		t.Errorf("page: %d, want 404 saying the content is not stored:\n%.500s", resp.StatusCode, html)
	}
	// An id no sheet links stays a plain not found: the id alone is no key.
	st, b = c.do("GET", path+"/evidence/"+strings.Repeat("ab", 32), "")
	wantError(t, st, b, 404, "not_found")
	if msg, _ := b["error"].(string); strings.Contains(msg, "tidak tersimpan") {
		t.Errorf("an unlinked id says %q", msg)
	}
}
