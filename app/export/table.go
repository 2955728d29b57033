package export

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Table is a titled grid of values: a ranking, a composite index, an over-claiming list.
type Table struct {
	Name    string // sheet name (≤31 chars, sanitized by WriteXLSX)
	Title   string // first row, bold
	Caption string // second row, e.g. "Periode 2026 · dicetak 23-11-2026 · data contoh"
	Header  []string
	Rows    [][]any // string, int, float64, *float64 (nil = empty cell), bool (Ya/Tidak)
}

// Layout of a table sheet: title, caption, then the header row.
const (
	tableTitleRow   = 1
	tableCaptionRow = 2
	tableHeaderRow  = 3
)

// Column widths of a table sheet, in characters.
const (
	minColWidth = 6
	maxColWidth = 60
)

// values normalizes the rows of t; a row may be shorter or longer than the header.
func (t Table) values() ([][]value, error) {
	out := make([][]value, len(t.Rows))
	for i, row := range t.Rows {
		out[i] = make([]value, len(row))
		for j, x := range row {
			v, err := valueOf(x)
			if err != nil {
				return nil, fmt.Errorf("row %d, column %d: %w", i+1, j+1, err)
			}
			out[i][j] = v
		}
	}
	return out, nil
}

// WriteXLSX writes one worksheet per table: the title (bold) and caption on the first two rows,
// then the header row, frozen and with an autofilter, then the rows. Numbers stay numbers with
// a number format (decimals 0.00, which Excel shows with the reader's decimal separator: a comma
// in Indonesian), nil is an empty cell, a bool is "Ya" or "Tidak", and columns
// are sized roughly to their content. Sheet names are made valid and unique (see Table.Name).
func WriteXLSX(w io.Writer, tables ...Table) error {
	if len(tables) == 0 {
		return errors.New("export: xlsx: no table to write")
	}
	b := newBook()
	defer b.close()
	used := map[string]bool{}
	for i, t := range tables {
		name := sheetName(t.Name, i+1, used)
		if err := writeTable(b, name, t); err != nil {
			return fmt.Errorf("export: xlsx table %q: %w", t.Name, err)
		}
	}
	if err := b.write(w); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	return nil
}

func writeTable(b *book, name string, t Table) error {
	rows, err := t.values()
	if err != nil {
		return err
	}
	if err := b.addSheet(name); err != nil {
		return err
	}
	if err := b.set(name, 1, tableTitleRow, textOf(t.Title), look{bold: true, size: 13}); err != nil {
		return err
	}
	if err := b.set(name, 1, tableCaptionRow, textOf(t.Caption), look{italic: true, color: "#595959"}); err != nil {
		return err
	}

	cols := len(t.Header)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	header := look{bold: true, wrap: true, border: true, fill: "#D9E1F2"}
	for j, h := range t.Header {
		v := textOf(h)
		widths[j] = v.width()
		if err := b.set(name, j+1, tableHeaderRow, v, header); err != nil {
			return err
		}
	}
	for _, r := range rows {
		for j, v := range r {
			widths[j] = max(widths[j], v.width())
		}
	}
	for i, r := range rows {
		for j, v := range r {
			var l look
			switch {
			case v.kind == decimal:
				l.numFmt = fmtDecimal
			case v.kind == text && widths[j] > maxColWidth:
				l.wrap = true
			}
			if err := b.set(name, j+1, tableHeaderRow+1+i, v, l); err != nil {
				return err
			}
		}
	}
	for j, w := range widths {
		if err := b.width(name, j+1, float64(min(max(w+2, minColWidth), maxColWidth))); err != nil {
			return err
		}
	}

	if err := b.freeze(name, 0, tableHeaderRow); err != nil {
		return fmt.Errorf("freeze header: %w", err)
	}
	if len(t.Header) > 0 {
		last, err := excelize.CoordinatesToCellName(len(t.Header), tableHeaderRow+len(rows))
		if err != nil {
			return err
		}
		ref := "A" + strconv.Itoa(tableHeaderRow) + ":" + last
		if err := b.f.AutoFilter(name, ref, nil); err != nil {
			return fmt.Errorf("autofilter: %w", err)
		}
	}
	return nil
}

// CSVFormat is a CSV dialect: the field separator and the decimal separator.
type CSVFormat struct {
	Comma rune // field separator
	Point rune // decimal separator
}

// The CSV dialects. CSVIndonesian is the default: Excel set to Indonesian (or any locale whose
// decimal separator is a comma) opens it in columns with numbers as numbers. CSVComma is the
// plain comma-separated file with decimal points that scripts and English-locale spreadsheets
// expect (`?pemisah=koma` on the export URLs).
var (
	CSVIndonesian = CSVFormat{Comma: ';', Point: ','}
	CSVComma      = CSVFormat{Comma: ',', Point: '.'}
)

// WriteCSV writes the header row then the rows of t as UTF-8 with a byte order mark, so that
// Excel shows Indonesian text right, in the given dialect. Decimals are rounded to 2 places half
// away from zero (on their exact value) and written with the dialect's decimal separator; nil is
// an empty field and a bool is "Ya" or "Tidak". The title and caption are not written. A text
// field that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
// return, and is not a plain number) is prefixed with an apostrophe.
func WriteCSV(w io.Writer, t Table, f CSVFormat) error {
	rows, err := t.values()
	if err != nil {
		return fmt.Errorf("export: csv %q: %w", t.Name, err)
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("export: csv %q: %w", t.Name, err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = f.Comma
	record := make([]string, len(t.Header))
	for j, h := range t.Header {
		record[j] = csvField(textOf(h), f.Point)
	}
	if err := cw.Write(record); err != nil {
		return fmt.Errorf("export: csv %q: %w", t.Name, err)
	}
	for _, r := range rows {
		record = record[:0]
		for _, v := range r {
			record = append(record, csvField(v, f.Point))
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("export: csv %q: %w", t.Name, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: csv %q: %w", t.Name, err)
	}
	return nil
}

// csvField is the text of a CSV field, defused against formula injection.
func csvField(v value, point rune) string {
	s := v.format(point)
	if v.kind != text || s == "" || s == "-" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64); err != nil {
			return "'" + s
		}
	}
	return s
}
