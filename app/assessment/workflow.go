package assessment

import (
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
)

// Flow is where an assessment stands in DESIGN.md's workflow:
//
//	draf → (camat submits) diajukan → (an evaluator starts) direviu → perlu_perbaikan (items
//	returned; the unit edits only those and resubmits → diajukan) or final (locked; only an
//	admin reopens it, with a reason → direviu).
//
// The sheet carries the flow: every write of an assessment is a conditional write of its sheet
// (its rev), so a transition and a save that race are ordered by the sheet, and each judges the
// status it read. The assessment document holds a copy for listings and rankings.
type Flow struct {
	Status      Status     `bson:"status" json:"status"`
	SubmittedAt *time.Time `bson:"submitted_at,omitempty" json:"submitted_at,omitempty"`
	// ReviewedAt is when an evaluator first saved a review of the current submission.
	ReviewedAt *time.Time `bson:"reviewed_at,omitempty" json:"reviewed_at,omitempty"`
	ReturnedAt *time.Time `bson:"returned_at,omitempty" json:"returned_at,omitempty"`
	// Returns counts the times items were returned (the rounds of revision).
	Returns     int        `bson:"returns,omitempty" json:"returns"`
	FinalizedAt *time.Time `bson:"finalized_at,omitempty" json:"finalized_at,omitempty"`
	FinalizedBy string     `bson:"finalized_by,omitempty" json:"finalized_by,omitempty"`
	// ReopenedAt and ReopenReason record an admin's reopening of a final sheet, until it is
	// finalized again: the evaluators are told, with the reason.
	ReopenedAt   *time.Time `bson:"reopened_at,omitempty" json:"reopened_at,omitempty"`
	ReopenReason string     `bson:"reopen_reason,omitempty" json:"reopen_reason,omitempty"`
}

// Allowed says whether an assessment in status st lets act happen: nil, or a Conflict error
// saying why not. Who may act at all is account.Decide's business; Permit asks both.
func Allowed(st Status, act account.Action) error {
	switch act {
	case account.Answer:
		switch st {
		case Draft, Returned:
			return nil
		case Submitted, InReview:
			return apperr.New(apperr.Conflict, "Penilaian sudah diajukan dan tidak dapat diubah sampai evaluator mengembalikan indikator.")
		}
	case account.Submit:
		switch st {
		case Draft, Returned:
			return nil
		case Submitted, InReview:
			return apperr.New(apperr.Conflict, "Penilaian sudah diajukan dan sedang menunggu atau menjalani reviu.")
		}
	case account.Review:
		switch st {
		case Submitted, InReview:
			return nil
		case Draft:
			return apperr.New(apperr.Conflict, "Penilaian masih draf: kecamatan belum mengajukannya.")
		case Returned:
			return apperr.New(apperr.Conflict, "Lembar kerja sedang dikembalikan kepada kecamatan untuk perbaikan; reviu dilanjutkan setelah diajukan kembali.")
		}
	case account.Return:
		switch st {
		case InReview:
			return nil
		case Submitted:
			return apperr.New(apperr.Conflict, "Reviu belum dimulai: nilai indikator terlebih dahulu, tandai yang perlu diperbaiki, lalu kembalikan.")
		case Draft:
			return apperr.New(apperr.Conflict, "Penilaian masih draf: belum ada yang dapat dikembalikan.")
		case Returned:
			return apperr.New(apperr.Conflict, "Penilaian sudah dikembalikan dan menunggu perbaikan kecamatan.")
		}
	case account.Finalize:
		switch st {
		case InReview:
			return nil
		case Submitted:
			return apperr.New(apperr.Conflict, "Reviu belum dimulai: nilai setiap indikator sebelum memfinalkan.")
		case Draft:
			return apperr.New(apperr.Conflict, "Penilaian masih draf dan belum diajukan; tidak dapat difinalkan.")
		case Returned:
			return apperr.New(apperr.Conflict, "Indikator sedang dikembalikan kepada kecamatan; finalisasi menunggu pengajuan kembali.")
		}
	case account.Reopen:
		if st == Final {
			return nil
		}
		return apperr.New(apperr.Conflict, "Hanya penilaian yang sudah final yang dapat dibuka kembali (status sekarang: %s).", st.Label())
	default:
		return nil
	}
	if st == Final {
		return apperr.New(apperr.Conflict, "Penilaian sudah final dan terkunci. Hanya administrator yang dapat membukanya kembali.")
	}
	return apperr.New(apperr.Conflict, "Status %s tidak mengizinkan tindakan ini.", st.Label())
}

// Permit is the whole decision for one workflow action: first who (account.Decide: 401/403),
// then when (Allowed: 409).
func Permit(u *account.User, obj account.Object, st Status, act account.Action) error {
	if err := account.Decide(u, act, obj); err != nil {
		return err
	}
	return Allowed(st, act)
}
