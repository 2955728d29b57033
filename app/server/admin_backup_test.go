package server

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// "Unduh cadangan": on the embedded engine the page writes an archive as a job (under the
// write lock: one consistent moment) and offers it for download; on MongoDB it explains
// mongodump instead.
func TestAdminBackupPage(t *testing.T) {
	w := newWorld(t)
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("admin")
	_, body := p.do("GET", "/admin/cadangan", nil)
	if !w.st.DB.Embedded {
		if !strings.Contains(body, "mongodump") {
			t.Errorf("the MongoDB backup page does not explain mongodump")
		}
		return
	}
	token := csrfRe.FindStringSubmatch(body)[1]
	resp, _ := p.do("POST", "/admin/cadangan", url.Values{"_csrf": {token}})
	if resp.StatusCode != 303 {
		t.Fatalf("start = %d", resp.StatusCode)
	}
	w.st.Jobs.Wait()
	_, body = p.do("GET", resp.Header.Get("Location"), nil)
	i := strings.Index(body, `href="/admin/cadangan/unduh/`)
	if !strings.Contains(body, `data-state="selesai"`) || i < 0 {
		t.Fatalf("job page = %s", body[strings.Index(body, "<main"):])
	}
	link := body[i+len(`href="`):]
	link = link[:strings.Index(link, `"`)]
	resp, archive := p.do("GET", link, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/gzip" {
		t.Fatalf("download = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	gz, err := gzip.NewReader(strings.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	got := strings.Join(names, " ")
	if !strings.Contains(got, "raporrb-backup.json") || !strings.Contains(got, "/units.bson") || !strings.Contains(got, "/users.bson") || strings.Contains(got, "sessions.bson") {
		t.Errorf("archive entries = %s", got)
	}
	if _, body = p.do("GET", "/admin/cadangan", nil); !strings.Contains(body, `id="cadangan"`) {
		t.Errorf("the page does not list the archive")
	}
	if resp, _ := p.do("GET", "/admin/cadangan/unduh/..%2F..%2Fetc%2Fpasswd", nil); resp.StatusCode != 404 {
		t.Errorf("a path in the name = %d", resp.StatusCode)
	}
	if got := w.audit("backup"); len(got) != 1 {
		t.Errorf("audit = %v", got)
	}
}
