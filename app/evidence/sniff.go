package evidence

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// The MIME types evidence may have: what Sniff returns and Blob.Type holds.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeODS  = "application/vnd.oasis.opendocument.spreadsheet"
)

// Types lists every allowed type, for checks that no page shows one to a person.
var Types = []string{TypePDF, TypeJPEG, TypePNG, TypeWebP, TypeDOCX, TypeXLSX, TypePPTX, TypeODT, TypeODS}

// TypeName is an allowed type as a person names it ("PDF", "gambar JPEG", "dokumen Word"); an
// unknown type is "berkas".
func TypeName(typ string) string {
	switch typ {
	case TypePDF:
		return "PDF"
	case TypeJPEG:
		return "gambar JPEG"
	case TypePNG:
		return "gambar PNG"
	case TypeWebP:
		return "gambar WebP"
	case TypeDOCX:
		return "dokumen Word"
	case TypeXLSX:
		return "lembar kerja Excel"
	case TypePPTX:
		return "presentasi PowerPoint"
	case TypeODT:
		return "dokumen OpenDocument"
	case TypeODS:
		return "lembar kerja OpenDocument"
	}
	return "berkas"
}

// typeZIP is what http.DetectContentType calls every OOXML and ODF document, and any other zip.
const typeZIP = "application/zip"

// ooxmlParts maps the main part of each allowed OOXML document to its type, in the order they
// are tried.
var ooxmlParts = []struct{ part, typ string }{
	{"word/document.xml", TypeDOCX},
	{"xl/workbook.xml", TypeXLSX},
	{"ppt/presentation.xml", TypePPTX},
}

// Sniff returns the MIME type of the size bytes of f when it is on the allow-list (PDF, JPEG,
// PNG, WebP, DOCX, XLSX, PPTX, ODT, ODS), and an apperr.Invalid naming the detected type
// otherwise. It looks only at the bytes: a file name or a client's Content-Type can lie, and
// what is served later (with nosniff) is the type found here.
func Sniff(f io.ReaderAt, size int64) (string, error) {
	if size <= 0 {
		return "", apperr.New(apperr.Invalid, "Berkas kosong.")
	}
	head := make([]byte, min(size, 512)) // all http.DetectContentType looks at
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the start of the file: %w", err)
	}
	typ, _, _ := strings.Cut(http.DetectContentType(head[:n]), ";")
	switch typ {
	case TypePDF, TypeJPEG, TypePNG, TypeWebP:
		return typ, nil
	case typeZIP:
		return sniffZip(f, size)
	}
	return "", notAllowed(typ)
}

// Bounds on a zip container (OOXML, ODF), whatever its entries claim: the number of
// entries, their total size expanded, and that total against the file's size. A document
// that expands past them is a zip bomb to whoever opens it, not evidence.
const (
	maxZipEntries  = 10_000
	maxZipExpanded = 200 << 20
	maxZipRatio    = 100
)

// errMacro is the answer to any document that can carry macros or active content.
func errMacro() error {
	return apperr.New(apperr.Invalid, "Dokumen berisi makro atau skrip dan tidak diizinkan. Simpan ulang sebagai DOCX, XLSX, PPTX, ODT atau ODS tanpa makro.")
}

// sniffZip accepts a zip only when it is an ODF text or spreadsheet, or an OOXML word,
// spreadsheet or presentation document, with safe entry names, bounded expansion, every entry
// readable, and nothing that runs: no VBA project, macro sheet or ActiveX part whatever its
// name (found by content type and relationship), no ODF Basic/ or Scripts/ folder or script
// event binding. Any other zip could carry anything.
func sniffZip(f io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil { // damaged: no office suite wrote that
		return "", notAllowed(typeZIP)
	}
	if len(zr.File) > maxZipEntries {
		return "", apperr.New(apperr.Invalid, "Dokumen memuat terlalu banyak bagian (lebih dari %d).", maxZipEntries)
	}
	var total int64 // the sizes the entries claim, expanded; capped past the limit
	names := make(map[string]bool, len(zr.File))
	for _, zf := range zr.File {
		if !safeZipName(zf.Name) {
			return "", apperr.New(apperr.Invalid, "Dokumen memuat nama bagian yang tidak aman (%.60q).", zf.Name)
		}
		if zf.UncompressedSize64 > maxZipExpanded {
			total = maxZipExpanded + 1
		} else if total <= maxZipExpanded {
			total += int64(zf.UncompressedSize64) // #nosec G115 -- at most maxZipExpanded, checked above
		}
		names[zf.Name] = true
	}
	if total > maxZipExpanded || total > maxZipRatio*size {
		return "", apperr.New(apperr.Invalid, "Dokumen mengembang terlalu besar saat dibuka (%s dari berkas %s). Simpan ulang dokumen lalu unggah kembali.",
			formatSize(total), formatSize(size))
	}
	typ, err := zipKind(zr, names)
	if err != nil {
		return "", err
	}
	odf := typ == TypeODT || typ == TypeODS
	// Every entry is read: it must expand to what it claims (archive/zip refuses more) and its
	// checksum must hold, and the parts that can declare active content are looked at.
	var read int64
	for _, zf := range zr.File {
		lower := strings.ToLower(zf.Name)
		if odf && (strings.HasPrefix(lower, "basic/") || strings.HasPrefix(lower, "scripts/")) {
			return "", errMacro()
		}
		if strings.HasSuffix(lower, "vbaproject.bin") {
			return "", errMacro()
		}
		scan := lower == "[content_types].xml" || strings.HasSuffix(lower, ".rels") || (odf && strings.HasSuffix(lower, ".xml"))
		n, found, err := readEntry(zf, scan, odf, maxZipExpanded-read)
		read += n
		if err != nil {
			return "", apperr.New(apperr.Invalid, "Dokumen rusak atau tidak lengkap (%.60q). Simpan ulang lalu unggah kembali.", zf.Name)
		}
		if found {
			return "", errMacro()
		}
	}
	return typ, nil
}

// zipKind tells the allowed document a zip is, from its entries.
func zipKind(zr *zip.Reader, names map[string]bool) (string, error) {
	// ODF puts its type, uncompressed, in a first entry named "mimetype".
	if len(zr.File) > 0 && zr.File[0].Name == "mimetype" {
		typ, err := readSmall(zr.File[0])
		if err != nil {
			return "", notAllowed(typeZIP)
		}
		switch typ {
		case TypeODT, TypeODS:
			return typ, nil
		}
		if looksLikeMIME(typ) { // e.g. an ODF presentation or an EPUB: say which
			return "", notAllowed(typ)
		}
		return "", notAllowed(typeZIP)
	}
	if names["[Content_Types].xml"] {
		for _, p := range ooxmlParts {
			if names[p.part] {
				return p.typ, nil
			}
		}
	}
	return "", notAllowed(typeZIP)
}

// activeOOXML are what, in [Content_Types].xml or a relationship, marks content that runs:
// macro-enabled main parts (docm, xlsm, pptm, templates), VBA projects and their data, Excel
// 4.0 macro sheets, ActiveX controls. Compared lowercased.
var activeOOXML = []string{"macroenabled", "vbaproject", "vbadata", "macrosheet", "activex"}

// activeODF are what, in an ODF part, binds a document to a script.
var activeODF = []string{"vnd.sun.star.script", "<script:event-listener", "macro://"}

// readEntry reads one entry to its end, at most limit bytes, and, when scan is set, reports
// whether it names active content.
func readEntry(zf *zip.File, scan, odf bool, limit int64) (int64, bool, error) {
	rc, err := zf.Open()
	if err != nil {
		return 0, false, err
	}
	defer rc.Close()
	r := io.LimitReader(rc, limit+1)
	var buf strings.Builder
	var w io.Writer = io.Discard
	if scan {
		w = &buf
	}
	n, err := io.Copy(w, r)
	if err == nil && n > limit {
		err = errors.New("expands past the limit")
	}
	if err != nil || !scan {
		return n, false, err
	}
	text := strings.ToLower(buf.String())
	marks := activeOOXML
	if odf {
		marks = activeODF
	}
	for _, m := range marks {
		if strings.Contains(text, m) {
			return n, true, nil
		}
	}
	return n, false, nil
}

// safeZipName reports whether a zip entry's name stays inside the archive when extracted: no
// absolute path, drive letter, backslash, NUL or ".." element.
func safeZipName(name string) bool {
	if name == "" || strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':') {
		return false
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return false
		}
	}
	return true
}

// readSmall returns the content of a zip entry that should be a short string, reading no more
// than a MIME type needs however large the entry claims (or decompresses) to be.
func readSmall(zf *zip.File) (string, error) {
	rc, err := zf.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 128))
	return string(b), err
}

// looksLikeMIME reports whether s is short and made of the characters of a MIME type, so it
// can be echoed in a message without echoing arbitrary bytes.
func looksLikeMIME(s string) bool {
	if s == "" || len(s) > 100 || !strings.Contains(s, "/") {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("/.+-", r)) {
			return false
		}
	}
	return true
}

// notAllowed is the error for content of type typ, which is not on the allow-list.
func notAllowed(typ string) error {
	return apperr.New(apperr.Invalid, "Jenis berkas tidak diizinkan (%s). Unggah PDF, gambar (JPEG, PNG, WebP) atau dokumen kantor (DOCX, XLSX, PPTX, ODT, ODS).", typ)
}
