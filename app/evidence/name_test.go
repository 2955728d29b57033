package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/apperr"
)

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestCleanName(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"laporan.pdf", "laporan.pdf"},
		{"  SK Tim Pembangunan ZI Kecamatan Sukorejo 2026.pdf \n", "SK Tim Pembangunan ZI Kecamatan Sukorejo 2026.pdf"},
		{"Foto kegiatan (1).jpeg", "Foto kegiatan (1).jpeg"},
		{"Rekap IKM – Triwulan I.xlsx", "Rekap IKM – Triwulan I.xlsx"},
		{"tanpa-ekstensi", "tanpa-ekstensi"},
		{strings.Repeat("a", 196) + ".pdf", strings.Repeat("a", 196) + ".pdf"},
	} {
		got, err := CleanName(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		in, msg string
	}{
		{"", "Nama berkas kosong."},
		{"   ", "Nama berkas kosong."},
		{"a/b.pdf", "Nama berkas tidak boleh memuat garis miring (/ atau \\)."},
		{`a\b.pdf`, "Nama berkas tidak boleh memuat garis miring (/ atau \\)."},
		{"..", "Nama berkas tidak boleh memuat \"..\"."},
		{"../../etc/passwd", "Nama berkas tidak boleh memuat garis miring (/ atau \\)."},
		{".htaccess", "Nama berkas tidak boleh diawali titik."},
		{"x\x00.pdf", "Nama berkas tidak boleh memuat karakter kontrol."},
		{"x\n.pdf", "Nama berkas tidak boleh memuat karakter kontrol."},
		{"x\r\nSet-Cookie: a=b.pdf", "Nama berkas tidak boleh memuat karakter kontrol."},
		{"laporan\u202Efdp.exe", "Nama berkas tidak boleh memuat karakter kontrol."},
		{strings.Repeat("a", 300), "Nama berkas terlalu panjang (lebih dari 200 byte). Persingkat namanya."},
		{strings.Repeat("é", 101), "Nama berkas terlalu panjang (lebih dari 200 byte). Persingkat namanya."},
		{"lap\xffor.pdf", "Nama berkas memuat karakter yang tidak sah (bukan UTF-8)."},
	} {
		got, err := CleanName(tt.in)
		if !apperr.Is(err, apperr.Invalid) || apperr.Message(err) != tt.msg {
			t.Errorf("CleanName(%q) = %q, %v; want Invalid %q", tt.in, got, err, tt.msg)
		}
	}
}

func TestValidID(t *testing.T) {
	good := sha([]byte("x"))
	if !ValidID(good) {
		t.Errorf("ValidID(%q) = false", good)
	}
	for _, id := range []string{
		"", "../etc/passwd", "..%2f..%2fetc%2fpasswd", strings.ToUpper(good), good[:63], good + "0",
		"../" + good[3:], good[:62] + "/.", good[:63] + "g", good[:63] + "\x00",
	} {
		if ValidID(id) {
			t.Errorf("ValidID(%q) = true", id)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{20 << 20, "20 MB"}, {3 << 19, "1,5 MB"}, {1024, "1 KB"}, {512 << 10, "512 KB"}, {1000, "1000 byte"},
	} {
		if got := formatSize(tt.n); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// Issue 13, defect 7: zero-width and bidi characters are refused; the served name's
// extension is the sniffed type's.
func TestNamesInvisibleCharactersAndExtensions(t *testing.T) {
	for _, name := range []string{"lapor\u200ban.pdf", "laporan\u200f.pdf", "\ufefflaporan.pdf", "laporan\u2060.pdf", "laporan\u202efdp.exe", "lapor\u2067an.pdf", "lapor\u00adan.pdf"} {
		if _, err := CleanName(name); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("CleanName(%+q) = %v, want Invalid", name, err)
		}
	}
	for _, tt := range []struct{ name, typ, want string }{
		{"laporan.pdf", TypePDF, "laporan.pdf"},
		{"Laporan.PDF", TypePDF, "Laporan.PDF"},
		{"laporan.html", TypePDF, "laporan.pdf"},
		{"laporan.pdf.exe", TypePDF, "laporan.pdf"},
		{"x.svg", TypePNG, "x.png"},
		{"foto.jpeg", TypeJPEG, "foto.jpeg"},
		{"foto", TypeJPEG, "foto.jpg"},
		{"versi 1.2", TypeDOCX, "versi 1.2.docx"},
		{"rekap.xls", TypeXLSX, "rekap.xlsx"},
		{".pdf", TypePDF, ".pdf"},
		{"a.exe", TypeODT, "a.odt"},
	} {
		if got := NameFor(tt.name, tt.typ); got != tt.want {
			t.Errorf("NameFor(%q, %s) = %q, want %q", tt.name, tt.typ, got, tt.want)
		}
	}
}
