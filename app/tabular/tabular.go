// Package tabular reads the uploaded tables of administration: a CSV (comma or semicolon
// separated, UTF-8, as spreadsheet programs save it) or an XLSX workbook, told apart by their
// bytes, never by the file's name. Imports (users, answers) read their rows from it.
package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// Format of an uploaded table.
type Format string

// Formats read.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// zipMagic opens every XLSX (an Office Open XML package is a ZIP archive).
var zipMagic = []byte("PK\x03\x04")

// Sniff tells an XLSX from a CSV by the bytes; "" for anything else (a PDF, an old binary
// .xls, an image, text that is not UTF-8).
func Sniff(data []byte) Format {
	switch {
	case bytes.HasPrefix(data, zipMagic):
		return XLSX
	case bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data):
		return ""
	case !strings.HasPrefix(http.DetectContentType(data), "text/plain"):
		return "" // text-looking bytes of another kind: "%PDF-", "<html>" …
	}
	return CSV
}

// Book is a read table: its sheets' rows, cells as text (numbers as written in the cell,
// without display formatting), trailing empty cells trimmed.
type Book struct {
	Format Format
	Sheets []string // in workbook order; a CSV has one, named ""
	Rows   map[string][][]string
}

// First returns the rows of the first sheet.
func (b *Book) First() [][]string { return b.Rows[b.Sheets[0]] }

// Read parses an uploaded CSV or XLSX. Errors: Invalid saying the file is neither, or is
// damaged; maxRows bounds every sheet (Invalid past it).
func Read(data []byte, maxRows int) (*Book, error) {
	switch Sniff(data) {
	case XLSX:
		return readXLSX(data, maxRows)
	case CSV:
		return readCSV(data, maxRows)
	}
	return nil, apperr.New(apperr.Invalid, "Berkas bukan CSV atau XLSX. Simpan tabelnya sebagai CSV (UTF-8) atau Excel Workbook (.xlsx).")
}

func readCSV(data []byte, maxRows int) (*Book, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from spreadsheet programs
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	// Spreadsheets set to Indonesian separate with ';' (the comma is the decimal mark).
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, apperr.New(apperr.Invalid, "Berkas CSV rusak pada baris %d: %s.", pe.Line, pe.Err)
			}
			return nil, apperr.New(apperr.Invalid, "Berkas CSV tidak dapat dibaca.")
		}
		if len(rows) >= maxRows {
			return nil, apperr.New(apperr.Invalid, "Berkas terlalu banyak baris (paling banyak %d).", maxRows)
		}
		rows = append(rows, trim(rec))
	}
	return &Book{Format: CSV, Sheets: []string{""}, Rows: map[string][][]string{"": rows}}, nil
}

func readXLSX(data []byte, maxRows int) (_ *Book, err error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "Berkas XLSX rusak atau bukan buku kerja Excel.")
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("tabular: closing workbook: %w", cerr)
		}
	}()
	b := &Book{Format: XLSX, Sheets: f.GetSheetList(), Rows: map[string][][]string{}}
	if len(b.Sheets) == 0 {
		return nil, apperr.New(apperr.Invalid, "Buku kerja XLSX tidak berisi lembar.")
	}
	for _, name := range b.Sheets {
		it, err := f.Rows(name)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "Lembar %q tidak dapat dibaca.", name)
		}
		var rows [][]string
		for it.Next() {
			if len(rows) >= maxRows {
				_ = it.Close()
				return nil, apperr.New(apperr.Invalid, "Lembar %q terlalu banyak baris (paling banyak %d).", name, maxRows)
			}
			cols, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				_ = it.Close()
				return nil, apperr.New(apperr.Invalid, "Lembar %q rusak.", name)
			}
			rows = append(rows, trim(cols))
		}
		if err := it.Close(); err != nil {
			return nil, fmt.Errorf("tabular: %w", err)
		}
		b.Rows[name] = rows
	}
	return b, nil
}

// trim strips cells of surrounding space and drops trailing empty cells.
func trim(rec []string) []string {
	out := make([]string, len(rec))
	for i, c := range rec {
		out[i] = strings.TrimSpace(c)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// Cell returns row[i], or "" past its end.
func Cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

// Columns finds, in a header row, the position of each wanted column; names are matched
// case-insensitively, each against its aliases. A column not found is -1.
func Columns(header []string, want map[string][]string) map[string]int {
	out := make(map[string]int, len(want))
	for key, aliases := range want {
		out[key] = -1
		for i, h := range header {
			for _, a := range aliases {
				if strings.EqualFold(strings.TrimSpace(h), a) {
					out[key] = i
				}
			}
		}
	}
	return out
}
