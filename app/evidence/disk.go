package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// staleAfter is how old a staging file must be before NewDiskStore deems it left by a crash.
// Far longer than any upload takes, so a Put in flight is never swept.
const staleAfter = time.Hour

// DiskStore keeps evidence as files under a directory: dir/<id[0:2]>/<id>, staged in dir/tmp.
// Staging inside dir keeps the final rename on one file system, where it is atomic.
type DiskStore struct {
	dir string
	tmp string
}

// NewDiskStore opens (creating it when needed) the store under dir and removes staging files
// a crash left behind.
func NewDiskStore(dir string) (*DiskStore, error) {
	s := &DiskStore{dir: dir, tmp: filepath.Join(dir, "tmp")}
	if err := os.MkdirAll(s.tmp, 0o700); err != nil {
		return nil, fmt.Errorf("evidence: creating %s: %w", s.tmp, err)
	}
	if err := s.sweep(time.Now().Add(-staleAfter)); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return s, nil
}

// sweep removes staging files last modified before cutoff. They were never visible, so
// nothing refers to them.
func (s *DiskStore) sweep(cutoff time.Time) error {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return fmt.Errorf("listing %s: %w", s.tmp, err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			if err := os.Remove(filepath.Join(s.tmp, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("removing a stale staging file: %w", err)
			}
		}
	}
	return nil
}

// Dir is the directory the store keeps its files under (backups copy it).
func (s *DiskStore) Dir() string { return s.dir }

// path is where the bytes of id live. Two hex digits of fan-out keep directories small.
func (s *DiskStore) path(id string) string { return filepath.Join(s.dir, id[:2], id) }

// Stage implements Store: the staging file is in dir/tmp, on the store's file system.
func (s *DiskStore) Stage(ctx context.Context, r io.Reader, max int64) (_ *Staged, err error) {
	defer apperr.Wrap(&err, "evidence.DiskStore.Stage")
	st, err := stage(ctx, r, max, s.tmp)
	if err != nil {
		return nil, err
	}
	return &Staged{Blob: st.blob, st: st}, nil
}

// Put implements Store.
func (s *DiskStore) Put(ctx context.Context, r io.Reader, max int64) (Blob, error) {
	st, err := s.Stage(ctx, r, max)
	if err != nil {
		return Blob{}, err
	}
	defer st.Close()
	return st.Blob, s.Commit(ctx, st)
}

// Commit implements Store: fsync, verify the hash, rename into place.
func (s *DiskStore) Commit(ctx context.Context, sd *Staged) (err error) {
	defer apperr.Wrap(&err, "evidence.DiskStore.Commit")
	st := sd.st
	final := s.path(st.blob.ID)
	if _, err := os.Stat(final); err == nil {
		return nil // stored already: content addressing makes it the same bytes
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("checking %s: %w", final, err)
	}
	if st.released {
		return fmt.Errorf("staged upload %s was already moved, and its bytes are gone", st.blob.ID)
	}
	// Durable before visible: a sheet may link the ID as soon as Commit returns.
	if err := st.f.Sync(); err != nil {
		return fmt.Errorf("syncing the staged upload: %w", err)
	}
	if err := st.verify(); err != nil {
		return err
	}
	shard := filepath.Dir(final)
	if err := os.Mkdir(shard, 0o700); err == nil {
		if err := syncDir(s.dir); err != nil { // the new shard's name must survive a crash too
			return err
		}
	} else if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("creating %s: %w", shard, err)
	}
	// Concurrent commits of the same bytes may each rename their copy here; the last one
	// wins, and since the bytes are identical, readers cannot tell.
	if err := os.Rename(st.f.Name(), final); err != nil {
		return fmt.Errorf("moving the upload into place: %w", err)
	}
	st.released = true
	_ = st.f.Close() // renamed: the descriptor is only read from now on
	return syncDir(shard)
}

// syncDir flushes a directory's entries, which is what makes a rename or mkdir in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir) // #nosec G304 -- a directory of the store, never a client's name
	if err != nil {
		return fmt.Errorf("opening %s to sync it: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

// Open implements Store. An id that is not a valid ID is never stored, so it is not found.
func (s *DiskStore) Open(ctx context.Context, id string) (_ io.ReadCloser, _ int64, err error) {
	defer apperr.Wrap(&err, "evidence.DiskStore.Open(%.64q)", id)
	if !ValidID(id) {
		return nil, 0, errNotFound()
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, errNotFound()
	} else if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

// Has implements Store.
func (s *DiskStore) Has(ctx context.Context, id string) (bool, error) {
	if !ValidID(id) {
		return false, nil
	}
	_, err := os.Stat(s.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("evidence.DiskStore.Has(%s): %w", id, err)
	}
	return true, nil
}

// Delete implements Store. An id that is not a valid ID names nothing, so there is nothing to
// delete; it never reaches the file system.
func (s *DiskStore) Delete(ctx context.Context, id string) error {
	if !ValidID(id) {
		return nil
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("evidence.DiskStore.Delete(%s): %w", id, err)
	}
	return nil
}
