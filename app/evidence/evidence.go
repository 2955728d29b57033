// Package evidence stores the bytes of evidence files, content-addressed by SHA-256: on disk in
// embedded mode (DiskStore), in GridFS on a real MongoDB (GridFSStore). Bytes are size-checked
// while they are read, hashed, and sniffed against an allow-list before they become visible, so
// a sheet can only ever link complete, verified, allowed bytes. Which sheet links which bytes,
// and under which name, is the caller's business; CleanName validates that name.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// Blob describes stored bytes.
type Blob struct {
	// ID is the lowercase hex SHA-256 of the bytes: the only name they are stored under.
	ID string
	// Size is the number of bytes.
	Size int64
	// Type is the MIME type sniffed from the bytes (one of the Type* constants), never the
	// client's claim.
	Type string
}

// Store is where evidence bytes live: on disk in embedded mode, in GridFS on MongoDB.
//
// An upload is two steps, so that the caller can make the bytes visible inside its own
// decision that they are used (app/assessment records the reference first, and a removal
// deletes bytes only while no reference exists): Stage receives and checks them privately,
// Commit makes them visible, unless they are already. Put does both.
type Store interface {
	// Stage streams r into a private temporary file, reading at most max+1 bytes of it. It
	// fails with apperr.TooLarge when r holds more than max bytes, apperr.Invalid when r is
	// empty or its content is not an allowed type (see Sniff). The Staged must be closed.
	Stage(ctx context.Context, r io.Reader, max int64) (*Staged, error)
	// Commit makes staged bytes visible under their SHA-256, durable before visible. Bytes
	// already stored stay as they are (content addressing: the same bytes). Idempotent.
	Commit(ctx context.Context, st *Staged) error
	// Put is Stage then Commit. The same bytes put twice are stored once and give the same
	// Blob. A failed Put leaves nothing behind.
	Put(ctx context.Context, r io.Reader, max int64) (Blob, error)
	// Open returns the bytes of id and their size; apperr.NotFound when absent. The reader
	// must be closed, and may be read only while ctx is alive.
	Open(ctx context.Context, id string) (io.ReadCloser, int64, error)
	// Has reports whether id is stored.
	Has(ctx context.Context, id string) (bool, error)
	// Delete removes id; no error when absent. Callers only delete bytes no sheet references,
	// and decide that in the same step as the delete (see app/assessment).
	Delete(ctx context.Context, id string) error
}

// Staged is an upload received, hashed and checked, not yet visible. Close removes what
// Commit did not move into the store.
type Staged struct {
	Blob Blob
	st   *staged
}

// Close discards the staging file unless Commit moved it. Safe to call twice.
func (s *Staged) Close() {
	if s != nil && s.st != nil {
		s.st.discard()
	}
}

var (
	_ Store = (*DiskStore)(nil)
	_ Store = (*GridFSStore)(nil)
)

// errNotFound is the error of Open for bytes that are not stored.
func errNotFound() error { return apperr.New(apperr.NotFound, "Berkas bukti tidak ditemukan.") }

// ValidID reports whether id has the form of a Blob ID: 64 lowercase hex digits. Stores check
// it before an id reaches a path or a query, so "../etc/passwd" can never name anything.
func ValidID(id string) bool {
	if len(id) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// maxNameLen is the longest file name CleanName accepts, in bytes: within what every common
// file system allows (255), with room for a suffix a browser may add on download.
const maxNameLen = 200

// CleanName validates a file name sent by a client and returns it trimmed of surrounding
// space. The name is only ever shown and offered on download (the bytes are stored under their
// hash), but it must not be able to smuggle a path, a hidden file, a header break or a
// right-to-left trick into either. Failures are apperr.Invalid naming the problem.
func CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", apperr.New(apperr.Invalid, "Nama berkas kosong.")
	case len(name) > maxNameLen:
		return "", apperr.New(apperr.Invalid, "Nama berkas terlalu panjang (lebih dari %d byte). Persingkat namanya.", maxNameLen)
	case !utf8.ValidString(name):
		return "", apperr.New(apperr.Invalid, "Nama berkas memuat karakter yang tidak sah (bukan UTF-8).")
	case strings.ContainsAny(name, `/\`):
		return "", apperr.New(apperr.Invalid, "Nama berkas tidak boleh memuat garis miring (/ atau \\).")
	case strings.Contains(name, ".."):
		return "", apperr.New(apperr.Invalid, "Nama berkas tidak boleh memuat \"..\".")
	case strings.IndexFunc(name, isControl) >= 0:
		return "", apperr.New(apperr.Invalid, "Nama berkas tidak boleh memuat karakter kontrol.")
	case name[0] == '.':
		return "", apperr.New(apperr.Invalid, "Nama berkas tidak boleh diawali titik.")
	}
	return name, nil
}

// isControl reports control and format characters: C0/C1 controls, and every Unicode format
// character (category Cf), among them the bidirectional overrides and isolates that make
// "laporan\u202Efdp.exe" display as "laporanexe.pdf" and the zero-width ones (U+200B–U+200F,
// U+2060, U+FEFF) that make two names look the same.
func isControl(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// extensions are the file-name extensions each allowed type is served with; the first is the
// one NameFor adds.
var extensions = map[string][]string{
	TypePDF:  {".pdf"},
	TypeJPEG: {".jpg", ".jpeg"},
	TypePNG:  {".png"},
	TypeWebP: {".webp"},
	TypeDOCX: {".docx"},
	TypeXLSX: {".xlsx"},
	TypePPTX: {".pptx"},
	TypeODT:  {".odt"},
	TypeODS:  {".ods"},
}

// NameFor returns name with an extension that matches typ, the sniffed type, so that what a
// browser or desktop saves is opened as what it is: a matching extension is kept
// ("Foto.JPEG"), a wrong one is replaced ("laporan.html" as PDF → "laporan.pdf",
// "x.svg" as PNG → "x.png", "laporan.pdf.exe" → "laporan.pdf"), a missing one is added.
// Something that is not an extension (".2" in "versi 1.2") stays part of the name.
func NameFor(name, typ string) string {
	exts := extensions[typ]
	if len(exts) == 0 {
		return name
	}
	matches := func(n string) bool { return slices.Contains(exts, strings.ToLower(filepath.Ext(n))) }
	if matches(name) {
		return name
	}
	stem := name
	if looksLikeExt(filepath.Ext(name)) {
		stem = strings.TrimSuffix(name, filepath.Ext(name))
	}
	if matches(stem) {
		return stem
	}
	if strings.TrimSpace(stem) == "" {
		stem = "berkas"
	}
	return stem + exts[0]
}

// looksLikeExt reports whether ext (".html") is a file extension: 1–5 letters or digits with
// at least one letter.
func looksLikeExt(ext string) bool {
	if len(ext) < 2 || len(ext) > 6 {
		return false
	}
	letter := false
	for _, r := range ext[1:] {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			letter = true
		case '0' <= r && r <= '9':
		default:
			return false
		}
	}
	return letter
}

// staged is an upload that passed every check, held in a temporary file of its own.
type staged struct {
	f    *os.File
	blob Blob
	// released: the staging name is no longer this upload's (moved into the store, or
	// removed), so discard must not remove whatever bears it now.
	released bool
}

// stage copies r into a new temporary file in dir (the system's when dir is ""), hashing it on
// the way, and checks its size and type. It reads at most max+1 bytes of r: the extra byte is
// how it tells "exactly max" from "more", and stopping there means an oversized body is
// neither buffered nor read to its end. On failure the file is already removed.
func stage(ctx context.Context, r io.Reader, max int64, dir string) (_ *staged, err error) {
	if max <= 0 {
		return nil, fmt.Errorf("upload limit must be positive, got %d", max)
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("creating a staging file: %w", err)
	}
	st := &staged{f: f}
	defer func() {
		if err != nil {
			st.discard()
		}
	}()
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx, r}, max+1), make([]byte, 256<<10))
	if err != nil {
		return nil, fmt.Errorf("receiving the upload: %w", err)
	}
	switch {
	case n > max:
		return nil, apperr.New(apperr.TooLarge, "Berkas melebihi batas %s.", formatSize(max))
	case n == 0:
		return nil, apperr.New(apperr.Invalid, "Berkas kosong.")
	}
	typ, err := Sniff(f, n)
	if err != nil {
		return nil, err
	}
	st.blob = Blob{ID: hex.EncodeToString(h.Sum(nil)), Size: n, Type: typ}
	return st, nil
}

// discard closes the staging file and removes it unless it was released. Safe to call twice.
func (st *staged) discard() {
	_ = st.f.Close() // a second Close only reports os.ErrClosed
	if !st.released {
		_ = os.Remove(st.f.Name())
		st.released = true
	}
}

// verify hashes the staged file as it is now on disk and checks it against the ID computed
// while receiving, so what becomes visible under an ID is exactly what that ID says.
func (st *staged) verify() error {
	h := sha256.New()
	n, err := io.Copy(h, io.NewSectionReader(st.f, 0, st.blob.Size+1))
	if err != nil {
		return fmt.Errorf("re-reading the staged upload: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != st.blob.Size || got != st.blob.ID {
		return fmt.Errorf("staged upload changed: %d bytes with sha256 %s, received %d bytes with %s", n, got, st.blob.Size, st.blob.ID)
	}
	return nil
}

// ctxReader stops a read as soon as ctx ends, so an abandoned request stops feeding the
// staging file.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// formatSize renders a limit the way a user thinks of it: "20 MB", "1,5 MB", "512 KB".
func formatSize(n int64) string {
	const kb, mb = 1 << 10, 1 << 20
	switch {
	case n%mb == 0:
		return fmt.Sprintf("%d MB", n/mb)
	case n >= mb:
		return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/mb), ".", ",", 1)
	case n%kb == 0:
		return fmt.Sprintf("%d KB", n/kb)
	}
	return fmt.Sprintf("%d byte", n)
}
