package assessment

import (
	"testing"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// Inside an indicator's card the message names the indicator as "ini", never by its code; the
// rest of the sentence is kept, and other indicators' codes are left alone.
func TestCardMessage(t *testing.T) {
	const code = "P.MP.RF.1.a"
	for _, tc := range []struct{ msg, want string }{
		{"Jawaban indikator P.MP.RF.1.a harus berupa angka, bukan \"abc\".", "Jawaban indikator ini harus berupa angka, bukan \"abc\"."},
		{"Indikator P.MP.RF.1.a: nilai 150 di luar rentang 0–100.", "Nilai 150 di luar rentang 0–100."},
		{"Nilai evaluator tidak sah. Indikator P.MP.RF.1.a: nilai 7 di luar rentang.", "Nilai evaluator tidak sah. Indikator ini: nilai 7 di luar rentang."},
		{"Indikator \"P.MP.RF.1.a\" tidak ada pada instrumen zi-2021.", "Indikator ini tidak ada pada instrumen zi-2021."},
		{"Pilih atau isi jawaban indikator P.MP.RF.1.a terlebih dahulu.", "Pilih atau isi jawaban indikator ini terlebih dahulu."},
		{"Jawaban indikator P.MP.RF.1.b telah diubah.", "Jawaban indikator P.MP.RF.1.b telah diubah."},
		{"Berkas terlalu besar.", "Berkas terlalu besar."},
	} {
		if got := CardMessage(apperr.New(apperr.Invalid, "%s", tc.msg), code); got != tc.want {
			t.Errorf("CardMessage(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}

// A link without a name is named after its address as a person reads it: host and path,
// decoded, slashes as spaces.
func TestNewLinkNamesTheAddressDecoded(t *testing.T) {
	for _, tc := range []struct{ url, name, want string }{
		{"https://dokumen.contoh.go.id/sk%20tim/2026.pdf", "", "dokumen.contoh.go.id sk tim 2026.pdf"},
		{"https://contoh.go.id/a%20b", "", "contoh.go.id a b"},
		{"https://contoh.go.id/x", "SK Tim ZI", "SK Tim ZI"},
	} {
		e, err := NewLink(tc.url, tc.name)
		if err != nil || e.Name != tc.want || e.URL != tc.url {
			t.Errorf("NewLink(%q, %q) = %q %q, %v; want name %q", tc.url, tc.name, e.Name, e.URL, err, tc.want)
		}
	}
}
