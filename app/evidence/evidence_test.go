package evidence

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

func newDiskStore(t testing.TB) *DiskStore {
	t.Helper()
	s, err := NewDiskStore(filepath.Join(t.TempDir(), "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newGridFSStore(t testing.TB) *GridFSStore {
	t.Helper()
	s := NewGridFSStore(dbtest.Fresh(t, engine))
	s.tmpDir = t.TempDir() // so the test can see that staging files do not outlive a Put
	return s
}

func TestDiskStore(t *testing.T) { testStore(t, newDiskStore(t)) }

func TestGridFSStore(t *testing.T) { testStore(t, newGridFSStore(t)) }

// testStore runs the behaviour every Store must have. Subtests share s, in order: each one
// checks that what it did left the store as the earlier ones left it.
func testStore(t *testing.T, s Store) {
	ctx := context.Background()
	const max = 1 << 20
	t.Run("accepts", func(t *testing.T) {
		for _, tt := range allowed(t) {
			t.Run(tt.name, func(t *testing.T) {
				before := contents(t, s)
				b, err := s.Put(ctx, bytes.NewReader(tt.body), max)
				if err != nil {
					t.Fatalf("Put: %v", err)
				}
				want := Blob{ID: sha(tt.body), Size: int64(len(tt.body)), Type: tt.typ}
				if b != want {
					t.Fatalf("Put = %+v, want %+v", b, want)
				}
				again, err := s.Put(ctx, bytes.NewReader(tt.body), max)
				if err != nil || again != b {
					t.Fatalf("second Put = %+v, %v; want %+v", again, err, b)
				}
				after := contents(t, s)
				if added := diff(after, before); !slices.Equal(added, []string{b.ID}) {
					t.Errorf("two Puts of the same bytes added %q, want just %s", added, b.ID)
				}
				if got := readAll(t, s, b.ID); !bytes.Equal(got, tt.body) {
					t.Errorf("Open returned %d bytes that differ from the %d put", len(got), len(tt.body))
				}
			})
		}
	})

	t.Run("rejects", func(t *testing.T) {
		for _, tt := range hostile(t) {
			t.Run(tt.name, func(t *testing.T) {
				before := contents(t, s)
				r := &countingReader{r: bytes.NewReader(tt.body)}
				limit := tt.max
				if limit == 0 {
					limit = max
				}
				b, err := s.Put(ctx, r, limit)
				if err == nil {
					t.Fatalf("Put accepted it as %+v", b)
				}
				if k := apperr.KindOf(err); k != tt.kind {
					t.Errorf("kind = %s, want %s (%v)", k, tt.kind, err)
				}
				if msg := apperr.Message(err); !strings.HasPrefix(msg, tt.msg) {
					t.Errorf("message = %q\nwant      %q", msg, tt.msg)
				}
				if r.n > limit+1 {
					t.Errorf("Put read %d bytes with a limit of %d: it must stop at limit+1", r.n, limit)
				}
				if after := contents(t, s); !slices.Equal(after, before) {
					t.Errorf("a failed Put changed the store:\nbefore %q\nafter  %q", before, after)
				}
			})
		}
	})

	t.Run("limit is inclusive", func(t *testing.T) {
		body := pdfOfSize(2048)
		if _, err := s.Put(ctx, bytes.NewReader(body), 2048); err != nil {
			t.Errorf("Put of exactly the limit: %v", err)
		}
		if _, err := s.Put(ctx, bytes.NewReader(body), 2047); !apperr.Is(err, apperr.TooLarge) {
			t.Errorf("Put of limit+1 = %v, want TooLarge", err)
		}
	})

	t.Run("open has delete", func(t *testing.T) {
		body := []byte("%PDF-1.7\n% round trip\n%%EOF\n")
		b, err := s.Put(ctx, bytes.NewReader(body), max)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Has(ctx, b.ID); err != nil || !ok {
			t.Fatalf("Has after Put = %v, %v", ok, err)
		}
		rc, size, err := s.Open(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, body) || size != int64(len(body)) {
			t.Fatalf("Open = %q (size %d), %v; want %q", got, size, err, body)
		}
		if err := s.Delete(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Has(ctx, b.ID); err != nil || ok {
			t.Errorf("Has after Delete = %v, %v", ok, err)
		}
		if _, _, err := s.Open(ctx, b.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Open after Delete = %v, want NotFound", err)
		}
		if err := s.Delete(ctx, b.ID); err != nil {
			t.Errorf("second Delete = %v, want nil", err)
		}
		if slices.Contains(contents(t, s), b.ID) {
			t.Errorf("%s still listed after Delete", b.ID)
		}
	})

	t.Run("unknown and malformed ids", func(t *testing.T) {
		for _, id := range []string{sha([]byte("never stored")), "../etc/passwd", "", strings.Repeat("A", 64), "../" + strings.Repeat("a", 61)} {
			if _, _, err := s.Open(ctx, id); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Open(%q) = %v, want NotFound", id, err)
			}
			if ok, err := s.Has(ctx, id); err != nil || ok {
				t.Errorf("Has(%q) = %v, %v; want false, nil", id, ok, err)
			}
			if err := s.Delete(ctx, id); err != nil {
				t.Errorf("Delete(%q) = %v, want nil", id, err)
			}
		}
	})

	t.Run("concurrent puts of the same bytes", func(t *testing.T) {
		body := pngBytes(t, 7)
		before := contents(t, s)
		ids := make([]string, 10)
		errs := make([]error, 10)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				b, err := s.Put(ctx, bytes.NewReader(body), max)
				ids[i], errs[i] = b.ID, err
			})
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != sha(body) {
				t.Errorf("Put #%d = %s, %v; want %s", i, ids[i], errs[i], sha(body))
			}
		}
		if added := diff(contents(t, s), before); !slices.Equal(added, []string{sha(body)}) {
			t.Errorf("10 concurrent Puts added %q, want just %s", added, sha(body))
		}
	})
}

// contents lists what s holds, sorted: one entry per stored copy of some bytes (so a
// duplicate shows twice), plus every other trace an upload could leave. For the disk store
// that is every file under its directory, staging area included; for GridFS every files
// document, every chunk whose file is not listed, and the staging directory's files.
func contents(t *testing.T, s Store) []string {
	t.Helper()
	var out []string
	switch s := s.(type) {
	case *DiskStore:
		err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(s.dir, path)
			if rel == filepath.Join(d.Name()[:min(2, len(d.Name()))], d.Name()) && ValidID(d.Name()) {
				rel = d.Name()
			}
			out = append(out, rel)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	case *GridFSStore:
		ctx := context.Background()
		var files []struct {
			ID       bson.ObjectID `bson:"_id"`
			Filename string        `bson:"filename"`
			Length   int64         `bson:"length"`
		}
		cur, err := s.files().Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		if err := cur.All(ctx, &files); err != nil {
			t.Fatal(err)
		}
		var chunks []struct {
			FilesID bson.ObjectID `bson:"files_id"`
		}
		cur, err = s.chunks().Find(ctx, bson.D{}, findProjection("files_id"))
		if err != nil {
			t.Fatal(err)
		}
		if err := cur.All(ctx, &chunks); err != nil {
			t.Fatal(err)
		}
		perFile := map[bson.ObjectID]int64{}
		for _, c := range chunks {
			perFile[c.FilesID]++
		}
		for _, f := range files {
			out = append(out, f.Filename)
			if want := (f.Length + 255*1024 - 1) / (255 * 1024); perFile[f.ID] != want {
				t.Errorf("GridFS file %s has %d chunks, want %d", f.Filename, perFile[f.ID], want)
			}
			delete(perFile, f.ID)
		}
		for id, n := range perFile {
			out = append(out, fmt.Sprintf("%d orphan chunks of %s", n, id.Hex()))
		}
		entries, err := os.ReadDir(s.tmpDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out = append(out, "staging/"+e.Name())
		}
	default:
		t.Fatalf("contents: unknown store %T", s)
	}
	slices.Sort(out)
	return out
}

// diff returns the entries of after that before lacks (both sorted, duplicates counted).
func diff(after, before []string) []string {
	var added []string
	for _, e := range after {
		if i := slices.Index(before, e); i >= 0 {
			before = slices.Delete(slices.Clone(before), i, i+1)
			continue
		}
		added = append(added, e)
	}
	return added
}

func readAll(t *testing.T, s Store, id string) []byte {
	t.Helper()
	rc, size, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatalf("Open(%s): %v", id, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", id, err)
	}
	if size != int64(len(b)) {
		t.Errorf("Open(%s) size = %d, but read %d bytes", id, size, len(b))
	}
	return b
}

// countingReader counts the bytes read through it, to show that Put stops at limit+1.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

type sample struct {
	name string
	body []byte
	typ  string
}

// allowed returns one small valid file of every allowed type, built here rather than kept as
// binary fixtures.
func allowed(t *testing.T) []sample {
	return []sample{
		{"pdf", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"), TypePDF},
		{"png", pngBytes(t, 1), TypePNG},
		{"jpeg", jpegBytes(t), TypeJPEG},
		{"webp", webpBytes(), TypeWebP},
		{"docx", zipBytes(t, ooxml("word/document.xml")...), TypeDOCX},
		{"xlsx", zipBytes(t, ooxml("xl/workbook.xml")...), TypeXLSX},
		{"pptx", zipBytes(t, ooxml("ppt/presentation.xml")...), TypePPTX},
		{"odt", zipBytes(t, odf(TypeODT)...), TypeODT},
		{"ods", zipBytes(t, odf(TypeODS)...), TypeODS},
	}
}

type rejection struct {
	name string
	body []byte
	max  int64 // 0 means the test's default
	kind apperr.Kind
	msg  string
}

func notAllowedMsg(typ string) string {
	return "Jenis berkas tidak diizinkan (" + typ + "). Unggah PDF, gambar (JPEG, PNG, WebP) atau dokumen kantor (DOCX, XLSX, PPTX, ODT, ODS)."
}

// hostile returns uploads every store must refuse, with the error they must give.
func hostile(t *testing.T) []rejection {
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 120)...)
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), []byte("This program cannot be run in DOS mode.\r\r\n$")...)
	docm := append(ooxml("word/document.xml"), zipEntry{name: "word/vbaProject.bin", body: "\xd0\xcf\x11\xe0"})
	return []rejection{
		{"html renamed pdf", []byte("<!doctype html><html><script>fetch('/api/v1/assessments')</script></html>"), 0, apperr.Invalid, notAllowedMsg("text/html")},
		{"elf executable", elf, 0, apperr.Invalid, notAllowedMsg("application/octet-stream")},
		{"windows executable", pe, 0, apperr.Invalid, notAllowedMsg("application/octet-stream")},
		{"plain zip", zipBytes(t, zipEntry{name: "a.txt", body: "a"}, zipEntry{name: "run.sh", body: "#!/bin/sh\n"}), 0, apperr.Invalid, notAllowedMsg("application/zip")},
		{"zip with content types only", zipBytes(t, zipEntry{name: "[Content_Types].xml", body: "<Types/>"}, zipEntry{name: "evil.exe", body: "MZ"}), 0, apperr.Invalid, notAllowedMsg("application/zip")},
		{"odf presentation", zipBytes(t, odf("application/vnd.oasis.opendocument.presentation")...), 0, apperr.Invalid, notAllowedMsg("application/vnd.oasis.opendocument.presentation")},
		{"macro document", zipBytes(t, docm...), 0, apperr.Invalid, macroMsg},
		// Issue 13, defect 4: macros whatever the part's name.
		{"vba part renamed, by content type", zipBytes(t, withContentTypes(ooxml("word/document.xml"),
			`<Override PartName="/word/macros.bin" ContentType="application/vnd.ms-office.vbaProject"/>`, zipEntry{name: "word/macros.bin", body: "\xd0\xcf\x11\xe0"})...), 0, apperr.Invalid, macroMsg},
		{"vba part renamed, by relationship only", zipBytes(t, append(ooxml("word/document.xml"),
			zipEntry{name: "word/_rels/document.xml.rels", body: `<Relationships><Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="macros.bin"/></Relationships>`},
			zipEntry{name: "word/macros.bin", body: "\xd0\xcf\x11\xe0"})...), 0, apperr.Invalid, macroMsg},
		{"macro-enabled main part (docm)", zipBytes(t, withContentTypes(ooxml("word/document.xml"),
			`<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>`)...), 0, apperr.Invalid, macroMsg},
		{"excel 4.0 macro sheet", zipBytes(t, withContentTypes(ooxml("xl/workbook.xml"),
			`<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>`)...), 0, apperr.Invalid, macroMsg},
		{"odt with StarBasic", zipBytes(t, append(odf(TypeODT), zipEntry{name: "Basic/Standard/Module1.xml", body: "<script:module/>"})...), 0, apperr.Invalid, macroMsg},
		{"ods with Scripts", zipBytes(t, append(odf(TypeODS), zipEntry{name: "Scripts/python/run.py", body: "import os"})...), 0, apperr.Invalid, macroMsg},
		{"odt binding an event to a script", zipBytes(t, zipEntry{name: "mimetype", body: TypeODT, stored: true},
			zipEntry{name: "content.xml", body: `<office:document-content><office:event-listeners><script:event-listener script:language="ooo:script" xlink:href="vnd.sun.star.script:Tools.Misc.Run"/></office:event-listeners></office:document-content>`}), 0, apperr.Invalid, macroMsg},
		// Issue 13, defect 7: unsafe entry names and expansion.
		{"zip entry escaping the archive", zipBytes(t, append(ooxml("word/document.xml"), zipEntry{name: "../../evil.sh", body: "#!/bin/sh"})...), 0, apperr.Invalid, "Dokumen memuat nama bagian yang tidak aman (\"../../evil.sh\")."},
		{"absolute zip entry", zipBytes(t, append(ooxml("word/document.xml"), zipEntry{name: "/etc/cron.d/x", body: "x"})...), 0, apperr.Invalid, "Dokumen memuat nama bagian yang tidak aman (\"/etc/cron.d/x\")."},
		{"docx expanding 1000 times", zipBytes(t, append(ooxml("word/document.xml"), zipEntry{name: "word/media/big.xml", body: strings.Repeat("\x00", 20<<20)})...), 0, apperr.Invalid, "Dokumen mengembang terlalu besar saat dibuka"},
		{"docx lying about its size", lyingZip(t), 0, apperr.Invalid, "Dokumen rusak atau tidak lengkap (\"word/media/big.xml\")."},
		{"truncated zip", zipBytes(t, ooxml("word/document.xml")...)[:60], 0, apperr.Invalid, notAllowedMsg("application/zip")},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 0, apperr.Invalid, notAllowedMsg("text/plain")},
		{"svg with xml declaration", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), 0, apperr.Invalid, notAllowedMsg("text/xml")},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"), 0, apperr.Invalid, notAllowedMsg("image/gif")},
		{"shell script", []byte("#!/bin/sh\nrm -rf /\n"), 0, apperr.Invalid, notAllowedMsg("text/plain")},
		{"pdf in name only", []byte("laporan.pdf"), 0, apperr.Invalid, notAllowedMsg("text/plain")},
		{"empty", nil, 0, apperr.Invalid, "Berkas kosong."},
		{"one byte over", pdfOfSize(1025), 1024, apperr.TooLarge, "Berkas melebihi batas 1 KB."},
		{"10 MB body, 1 KB limit", pdfOfSize(10 << 20), 1024, apperr.TooLarge, "Berkas melebihi batas 1 KB."},
	}
}

const macroMsg = "Dokumen berisi makro atau skrip dan tidak diizinkan. Simpan ulang sebagai DOCX, XLSX, PPTX, ODT atau ODS tanpa makro."

// withContentTypes returns entries with overrides added to [Content_Types].xml, and extra.
func withContentTypes(entries []zipEntry, overrides string, extra ...zipEntry) []zipEntry {
	out := append([]zipEntry(nil), entries...)
	out[0].body = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` + overrides + `</Types>`
	return append(out, extra...)
}

// lyingZip is a DOCX whose entry claims 100 bytes and expands to 1 MB.
func lyingZip(t testing.TB) []byte {
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write(make([]byte, 1<<20))
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ooxml("word/document.xml") {
		w, _ := zw.Create(e.name)
		io.WriteString(w, e.body)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/media/big.xml", Method: zip.Deflate, CRC32: 0,
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfOfSize returns a PDF header padded to n bytes.
func pdfOfSize(n int) []byte {
	b := bytes.Repeat([]byte{' '}, n)
	copy(b, "%PDF-1.4\n")
	copy(b[n-6:], "%%EOF\n")
	return b
}

func pngBytes(t testing.TB, seed uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: seed, G: 100, B: 50, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webpBytes returns a RIFF/WEBP container with a VP8 chunk: what browsers (and sniffers)
// recognize; the image data itself is not decoded by anyone here.
func webpBytes() []byte {
	vp8 := []byte{0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+len(vp8)))
	b.WriteString("WEBPVP8 ")
	binary.Write(&b, binary.LittleEndian, uint32(len(vp8)))
	b.Write(vp8)
	return b.Bytes()
}

type zipEntry struct {
	name, body string
	stored     bool // uncompressed, as ODF requires of "mimetype"
}

func ooxml(mainPart string) []zipEntry {
	return []zipEntry{
		{name: "[Content_Types].xml", body: `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{name: "_rels/.rels", body: `<?xml version="1.0"?><Relationships/>`},
		{name: mainPart, body: `<?xml version="1.0"?><root/>`},
	}
}

func odf(mime string) []zipEntry {
	return []zipEntry{
		{name: "mimetype", body: mime, stored: true},
		{name: "META-INF/manifest.xml", body: `<?xml version="1.0"?><manifest/>`},
		{name: "content.xml", body: `<?xml version="1.0"?><office:document-content/>`},
	}
}

func zipBytes(t testing.TB, entries ...zipEntry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		if e.stored {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
