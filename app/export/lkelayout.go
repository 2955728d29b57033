package export

// LKELayout says where WriteLKE puts what, so that an import reads back exactly what the
// export writes (app/lkeimport): the sheet's name, the row of the column titles (indicator
// rows follow it), the information block's rows, and the 1-based columns.
var LKELayout = struct {
	Sheet                                        string
	HeaderRow                                    int
	UnitRow, YearRow                             int // rows of "Unit kerja" and "Tahun" (value in ColText)
	ColCode, ColText, ColSelfAnswer, ColNote     int
	ColEvidence                                  int
	CodeTitle, AnswerTitle, NoteTitle, EvidTitle string // the column titles, to recognize the layout
}{
	Sheet: lkeSheet, HeaderRow: lkeHeaderRow, UnitRow: 3, YearRow: 4,
	ColCode: colCode, ColText: colText, ColSelfAnswer: colSelfAnswer, ColNote: colNote, ColEvidence: colEvidence,
	CodeTitle: lkeColumns[colCode-1].title, AnswerTitle: lkeColumns[colSelfAnswer-1].title,
	NoteTitle: lkeColumns[colNote-1].title, EvidTitle: lkeColumns[colEvidence-1].title,
}
