package tabular

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rapor-rb/raporrb/app/apperr"
)

func TestReadCSVAndXLSX(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
	}{
		{"comma", "kode,jawaban\nP.1,Ya\n"},
		{"semicolon with a BOM (Excel in Indonesian)", "\xef\xbb\xbfkode;jawaban\nP.1;Ya\n"},
		{"quoted, trailing empties", "\"kode\",\"jawaban\",,\n\" P.1 \",Ya,,\n"},
	} {
		b, err := Read([]byte(tc.data), 10)
		if err != nil || b.Format != CSV || strings.Join(b.First()[1], "|") != "P.1|Ya" {
			t.Errorf("%s: %+v, %v", tc.name, b, err)
		}
	}
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"kode", "jawaban"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"P.1", 75.5})
	var buf bytes.Buffer
	_ = f.Write(&buf)
	b, err := Read(buf.Bytes(), 10)
	if err != nil || b.Format != XLSX || strings.Join(b.First()[1], "|") != "P.1|75.5" {
		t.Errorf("xlsx = %+v, %v", b, err)
	}
	cols := Columns([]string{"Jawaban", "KODE"}, map[string][]string{"code": {"kode"}, "answer": {"jawaban"}, "note": {"catatan"}})
	if cols["code"] != 1 || cols["answer"] != 0 || cols["note"] != -1 {
		t.Errorf("columns = %v", cols)
	}
}

func TestReadRefusesWhatIsNotATable(t *testing.T) {
	for name, data := range map[string][]byte{
		"pdf":         []byte("%PDF-1.4\n%%EOF\n"),
		"png":         {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0},
		"latin-1":     []byte("kode;jawaban\nP.1;\xe9\n"),
		"html":        []byte("<!doctype html><html><body>x</body></html>"),
		"broken xlsx": append([]byte("PK\x03\x04"), make([]byte, 40)...),
	} {
		if _, err := Read(data, 10); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	if _, err := Read([]byte("a\nb\nc\n"), 2); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "paling banyak 2") {
		t.Errorf("too many rows: %v", err)
	}
}
