package account

import (
	"github.com/rapor-rb/raporrb/app/apperr"
)

// Policy is the route-level gate: who may reach a route at all. Every route of the web layer
// is registered with one (app/web refuses a route without), and a test walks the router's
// route list to keep it so. What a user may do to a particular object is decided by Decide.
type Policy struct {
	Name string
	// Public routes need no sign-in (login page, static files, health).
	Public bool
	// Roles allowed; empty means any signed-in user.
	Roles []Role
}

// The policies routes choose from.
var (
	PublicAccess = Policy{Name: "publik", Public: true}
	SignedIn     = Policy{Name: "masuk"}
	UnitMembers  = Policy{Name: "unit", Roles: []Role{Staf, Camat}}
	Reviewers    = Policy{Name: "evaluator", Roles: []Role{Evaluator}}
	Leaders      = Policy{Name: "pimpinan", Roles: []Role{Pimpinan, Admin}}
	AdminsOnly   = Policy{Name: "admin", Roles: []Role{Admin}}
	// SurveyManagers set up, close and reopen public surveys: a unit's camat for their own
	// unit, the admin for any (Decide, action Survey).
	SurveyManagers = Policy{Name: "survei", Roles: []Role{Camat, Admin}}
)

// Allows reports whether u passes the gate; u is nil for an anonymous request.
func (p Policy) Allows(u *User) bool {
	if p.Public {
		return true
	}
	if u == nil || u.Disabled {
		return false
	}
	if len(p.Roles) == 0 {
		return true
	}
	for _, r := range p.Roles {
		if u.Role == r {
			return true
		}
	}
	return false
}

// Action is something done to one unit's assessment.
type Action string

// Actions on an assessment, per DESIGN.md's authorization table.
const (
	Read     Action = "read"     // see answers, evidence, scores
	Answer   Action = "answer"   // answer and upload (own unit, staf and camat)
	Submit   Action = "submit"   // submit the sheet (camat)
	Review   Action = "review"   // evaluator's scores, comments, findings (any team member)
	Return   Action = "return"   // return items for revision (the team's lead)
	Finalize Action = "finalize" // finalize the sheet (the team's lead)
	Export   Action = "export"   // download exports
	Reopen   Action = "reopen"   // admin reopens a final sheet
	Manage   Action = "manage"   // admin manages units, users, periods, instruments
	Rankings Action = "rankings" // see the comparison of all units
	Survey   Action = "survey"   // set up, close and reopen a unit's public survey (its camat, the admin)
)

// Object is the unit an action touches and the facts about the user's relation to it that
// the store knows: whether the evaluator is assigned to it, and whether as the team's lead
// (ketua tim), who alone returns and finalizes.
type Object struct {
	Unit     string
	Assigned bool
	Lead     bool
}

// Decide returns nil when u may do act to obj, or a Forbidden error that says why in
// Bahasa Indonesia. It is the one place that knows DESIGN.md's authorization table.
func Decide(u *User, act Action, obj Object) error {
	if u == nil || u.Disabled {
		return apperr.New(apperr.Unauthorized, "Silakan masuk terlebih dahulu.")
	}
	own := u.Unit != "" && u.Unit == obj.Unit
	switch u.Role {
	case Staf, Camat:
		switch act {
		case Read, Answer, Export:
			if own {
				return nil
			}
			return apperr.New(apperr.Forbidden, "Anda hanya dapat mengakses penilaian unit Anda sendiri.")
		case Submit:
			if !own {
				return apperr.New(apperr.Forbidden, "Anda hanya dapat mengakses penilaian unit Anda sendiri.")
			}
			if u.Role != Camat {
				return apperr.New(apperr.Forbidden, "Hanya camat yang dapat mengajukan penilaian.")
			}
			return nil
		case Survey:
			if !own {
				return apperr.New(apperr.Forbidden, "Anda hanya dapat mengatur survei unit Anda sendiri.")
			}
			if u.Role != Camat {
				return apperr.New(apperr.Forbidden, "Hanya camat yang dapat mengatur survei unit.")
			}
			return nil
		}
	case Evaluator:
		switch act {
		case Read, Review, Export, Return, Finalize:
			if !obj.Assigned {
				return apperr.New(apperr.Forbidden, "Unit ini tidak ditugaskan kepada Anda.")
			}
			if (act == Return || act == Finalize) && !obj.Lead {
				return apperr.New(apperr.Forbidden, "Hanya ketua tim yang dapat mengembalikan atau memfinalkan penilaian.")
			}
			return nil
		}
	case Pimpinan:
		switch act {
		case Read, Export, Rankings:
			return nil
		}
		return apperr.New(apperr.Forbidden, "Pimpinan hanya dapat membaca, tidak mengubah data.")
	case Admin:
		switch act {
		case Read, Export, Rankings, Reopen, Manage, Survey:
			return nil
		case Answer, Submit:
			return apperr.New(apperr.Forbidden, "Administrator tidak mengisi penilaian.")
		case Review, Return, Finalize:
			return apperr.New(apperr.Forbidden, "Administrator tidak menilai; penilaian dilakukan evaluator yang ditugaskan.")
		}
	}
	return apperr.New(apperr.Forbidden, "Anda tidak berhak melakukan tindakan ini.")
}
