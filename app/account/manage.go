package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// PasswordAlphabet is what generated passwords are made of: it leaves out characters misread
// when a password is copied from a screen or a printout (0/O/o, 1/l/I).
const PasswordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// oneTimeLength gives about 69 bits from the alphabet above.
const oneTimeLength = 12

// Password length bounds for a password a user chooses.
const (
	MinPasswordLength = 10
	maxPasswordLength = 128
)

// NewPassword returns a random password (12 characters from crypto/rand), for a new account
// or a reset: shown once, and the user must replace it at the first sign-in.
func NewPassword() (string, error) {
	b := make([]byte, oneTimeLength)
	n := big.NewInt(int64(len(PasswordAlphabet)))
	for i := range b {
		x, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", err
		}
		b[i] = PasswordAlphabet[x.Int64()]
	}
	return string(b), nil
}

// CheckNewPassword says whether username may choose pw. Errors: Invalid naming the field new.
func CheckNewPassword(username, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return apperr.InField("new", "Kata sandi baru minimal %d karakter.", MinPasswordLength)
	case n > maxPasswordLength:
		return apperr.InField("new", "Kata sandi baru paling panjang %d karakter.", maxPasswordLength)
	case strings.EqualFold(pw, username):
		return apperr.InField("new", "Kata sandi tidak boleh sama dengan nama pengguna.")
	}
	return nil
}

// maxName bounds a user's full name (characters).
const maxName = 120

// Check validates a user's fields, naming the field at fault: username, name, role, unit.
func (u User) Check() error {
	switch {
	case !ValidUsername(u.Username):
		return apperr.InField("username", "Nama pengguna %q tidak valid: 2–40 huruf kecil, angka, titik, garis bawah atau tanda hubung.", u.Username)
	case strings.TrimSpace(u.Name) == "":
		return apperr.InField("name", "Nama lengkap wajib diisi.")
	case utf8.RuneCountInString(u.Name) > maxName:
		return apperr.InField("name", "Nama paling panjang %d karakter.", maxName)
	case !u.Role.Valid():
		return apperr.InField("role", "Peran %q tidak dikenal (staf, camat, evaluator, pimpinan, admin).", u.Role)
	case (u.Role == Staf || u.Role == Camat) && u.Unit == "":
		return apperr.InField("unit", "Pengguna dengan peran %s harus terhubung ke unit kerja.", u.Role.Label())
	case u.NIP != "" && !validNIP(u.NIP):
		return apperr.InField("nip", "NIP terdiri atas 18 angka (boleh dipisah spasi, misalnya 19870101 201001 1 001), bukan %q.", clip(u.NIP, 40))
	}
	return nil
}

// validNIP reports whether s is a civil servant's NIP: 18 digits (birth date, appointment
// month, sex, serial), spaces allowed between the groups as it is often written.
func validNIP(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r != ' ':
			return false
		}
	}
	return digits == 18
}

// clip shortens s for a message.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// Create stores a new user with a one-time password (MustChangePassword set), then runs
// then inside the same write (the audit log). The caller checks that u.Unit exists.
// Errors: Invalid naming the field (see Check; a username already taken is "username").
func (s *Store) Create(ctx context.Context, u User, password string, then func(ctx context.Context) error) (err error) {
	defer apperr.Wrap(&err, "account.Create(%s)", u.Username)
	u.Name = strings.TrimSpace(u.Name)
	if err := u.Check(); err != nil {
		return err
	}
	if u.PasswordHash, err = HashPassword(password); err != nil {
		return err
	}
	u.MustChangePassword, u.Disabled = true, false
	u.Created = s.now().UTC()
	return s.db.Write(ctx, func(ctx context.Context) error {
		if _, err := s.ByUsername(ctx, u.Username); err == nil {
			return apperr.InField("username", "Nama pengguna %q sudah dipakai.", u.Username)
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if _, err := s.users.InsertOne(ctx, u); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return apperr.InField("username", "Nama pengguna %q sudah dipakai.", u.Username)
			}
			return err
		}
		if then != nil {
			return then(ctx)
		}
		return nil
	})
}

// NewUser is a user to create with their one-time password.
type NewUser struct {
	User     User
	Password string
}

// CreateMany stores several new users at once (a bulk import), each with a one-time password,
// then runs then, all inside one write: every username is checked free first, so either all
// are created or none. Passwords are hashed before the write lock is taken; hashed reports
// each one done (progress), and may be nil. Errors: Invalid naming the user and field.
func (s *Store) CreateMany(ctx context.Context, us []NewUser, hashed func(i int), then func(ctx context.Context) error) (err error) {
	defer apperr.Wrap(&err, "account.CreateMany(%d)", len(us))
	docs := make([]any, len(us))
	now := s.now().UTC()
	for i, n := range us {
		u := n.User
		u.Name = strings.TrimSpace(u.Name)
		if err := u.Check(); err != nil {
			return fmt.Errorf("%s: %w", u.Username, err)
		}
		if u.PasswordHash, err = HashPassword(n.Password); err != nil {
			return err
		}
		u.MustChangePassword, u.Disabled, u.Created = true, false, now
		docs[i] = u
		if hashed != nil {
			hashed(i)
		}
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		for _, n := range us {
			if _, err := s.ByUsername(ctx, n.User.Username); err == nil {
				return apperr.InField("username", "Nama pengguna %q sudah dipakai. Tidak ada pengguna yang dibuat.", n.User.Username)
			} else if !apperr.Is(err, apperr.NotFound) {
				return err
			}
		}
		if len(docs) > 0 {
			if _, err := s.users.InsertMany(ctx, docs); err != nil {
				return err
			}
		}
		if then != nil {
			return then(ctx)
		}
		return nil
	})
}

// UserPatch is a change to a user; nil fields stay as they are.
type UserPatch struct {
	Name     *string `json:"name"`
	NIP      *string `json:"nip"`
	Role     *Role   `json:"role"`
	Unit     *string `json:"unit"`
	Disabled *bool   `json:"disabled"`
}

// Update applies p to a user, then runs then with the user before and after inside the same
// write. Disabling a user ends every session and API token of theirs at once. The caller
// checks that a new unit exists. Errors: NotFound; Invalid naming the field (see Check).
func (s *Store) Update(ctx context.Context, username string, p UserPatch, then func(ctx context.Context, before, after User) error) (_ *User, err error) {
	defer apperr.Wrap(&err, "account.Update(%s)", username)
	var out User
	err = s.db.Write(ctx, func(ctx context.Context) error {
		before, err := s.ByUsername(ctx, username)
		if err != nil {
			return err
		}
		after := *before
		if p.Name != nil {
			after.Name = strings.TrimSpace(*p.Name)
		}
		if p.NIP != nil {
			after.NIP = strings.TrimSpace(*p.NIP)
		}
		if p.Role != nil {
			after.Role = *p.Role
		}
		if p.Unit != nil {
			after.Unit = *p.Unit
		}
		if p.Disabled != nil {
			after.Disabled = *p.Disabled
		}
		if err := after.Check(); err != nil {
			return err
		}
		if _, err := s.users.ReplaceOne(ctx, bson.D{{Key: "_id", Value: username}}, after); err != nil {
			return err
		}
		if after.Disabled && !before.Disabled {
			if err := s.endSessions(ctx, username); err != nil {
				return err
			}
		}
		out = after
		if then != nil {
			return then(ctx, *before, after)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ResetPassword gives a user a new one-time password, ends their sessions and tokens, and
// runs then inside the same write. It returns the password, to be shown once. Errors: NotFound.
func (s *Store) ResetPassword(ctx context.Context, username string, then func(ctx context.Context) error) (_ string, err error) {
	defer apperr.Wrap(&err, "account.ResetPassword(%s)", username)
	pw, err := NewPassword()
	if err != nil {
		return "", err
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return "", err
	}
	err = s.db.Write(ctx, func(ctx context.Context) error {
		if _, err := s.ByUsername(ctx, username); err != nil {
			return err
		}
		if err := s.setPassword(ctx, username, hash, true); err != nil {
			return err
		}
		if err := s.endSessions(ctx, username); err != nil {
			return err
		}
		if then != nil {
			return then(ctx)
		}
		return nil
	})
	return pw, err
}

// ChangePassword replaces a user's password after checking the old one, and clears the
// one-time flag; then runs inside the same write. Errors: Invalid naming the field (old when it
// is wrong, new when it is too weak or the same as the old one).
func (s *Store) ChangePassword(ctx context.Context, username, old, pw string, then func(ctx context.Context) error) (err error) {
	defer apperr.Wrap(&err, "account.ChangePassword(%s)", username)
	u, err := s.ByUsername(ctx, username)
	if err != nil {
		return err
	}
	ok, err := CheckPassword(u.PasswordHash, old)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.InField("old", "Kata sandi lama salah.")
	}
	if err := CheckNewPassword(username, pw); err != nil {
		return err
	}
	if pw == old {
		return apperr.InField("new", "Kata sandi baru harus berbeda dari yang lama.")
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		if err := s.setPassword(ctx, username, hash, false); err != nil {
			return err
		}
		if then != nil {
			return then(ctx)
		}
		return nil
	})
}

func (s *Store) setPassword(ctx context.Context, username, hash string, oneTime bool) error {
	_, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: username}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "password_hash", Value: hash}, {Key: "must_change_password", Value: oneTime}}}})
	return err
}

// endSessions deletes every session and token of a user; the caller holds the write lock.
func (s *Store) endSessions(ctx context.Context, username string) error {
	_, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "user", Value: username}})
	return err
}

// PasswordPage is the change-password form every user has.
const PasswordPage = "/akun/kata-sandi" // #nosec G101 -- a page path, no credential

// AllowedBeforePasswordChange lists what a user holding a one-time password may still
// reach: the change itself (page and API), their own profile, signing out, static files.
func AllowedBeforePasswordChange(method, path string) bool {
	switch {
	case path == PasswordPage, path == "/api/v1/me", path == "/keluar", path == "/masuk", path == "/healthz":
		return true
	case path == "/api/v1/me/password" && method == "PUT":
		return true
	case strings.HasPrefix(path, "/static/"), strings.HasPrefix(path, "/vendor/"):
		return true
	}
	return false
}
