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

// sniffZip accepts a zip only when it is an ODF text or spreadsheet, or an OOXML word,
// spreadsheet or presentation document; any other zip could carry anything.
func sniffZip(f io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil { // damaged, or entries with unsafe paths: no office suite wrote that
		return "", notAllowed(typeZIP)
	}
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
	names := make(map[string]bool, len(zr.File))
	for _, zf := range zr.File {
		// A VBA project makes a DOCM/XLSM/PPTM out of what would pass for a DOCX/XLSX/PPTX;
		// macros in evidence that evaluators open are not something to accept.
		if strings.HasSuffix(strings.ToLower(zf.Name), "vbaproject.bin") {
			return "", apperr.New(apperr.Invalid, "Dokumen berisi makro dan tidak diizinkan. Simpan ulang sebagai DOCX, XLSX atau PPTX tanpa makro.")
		}
		names[zf.Name] = true
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
