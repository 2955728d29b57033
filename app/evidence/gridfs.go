package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// bucketName is the GridFS bucket of evidence: collections evidence.files and evidence.chunks.
const bucketName = "evidence"

// cleanupTimeout bounds the removal of a failed upload's remains. That removal runs on a
// context of its own, because the request's context ending may be why the upload failed.
const cleanupTimeout = 30 * time.Second

// GridFSStore keeps evidence in the GridFS bucket "evidence", one file per ID, whose filename
// is the ID. A unique index on filename makes "stored once" hold even when two app instances
// upload the same bytes at the same moment; each upload has its own ObjectID as GridFS _id, so
// a failed or losing upload removes exactly its own chunks and nobody else's.
type GridFSStore struct {
	db *db.DB
	// tmpDir is where Put stages uploads; "" means the system's temporary directory.
	tmpDir string

	indexMu sync.Mutex // guards indexed; never held across a database call
	indexed bool
}

// NewGridFSStore returns the store on d's database. Its index is created by EnsureIndexes, or
// by the first Put at the latest.
func NewGridFSStore(d *db.DB) *GridFSStore { return &GridFSStore{db: d} }

// bucket returns a handle on the bucket. A new one per operation: *mongo.GridFSBucket keeps
// unsynchronized state (a first-write flag, the read buffer of UploadFromStream), so one shared
// handle would race between concurrent requests. Making one allocates two chunk-sized buffers.
func (s *GridFSStore) bucket() *mongo.GridFSBucket {
	return s.db.Database.GridFSBucket(options.GridFSBucket().SetName(bucketName))
}

func (s *GridFSStore) files() *mongo.Collection  { return s.db.Collection(bucketName + ".files") }
func (s *GridFSStore) chunks() *mongo.Collection { return s.db.Collection(bucketName + ".chunks") }

// EnsureIndexes creates the unique index on the bucket's filenames (the IDs); idempotent.
// The driver creates GridFS's own indexes (filename+uploadDate, files_id+n) on first upload.
func (s *GridFSStore) EnsureIndexes(ctx context.Context) error {
	s.indexMu.Lock()
	done := s.indexed
	s.indexMu.Unlock()
	if done {
		return nil
	}
	// Not under indexMu: Commit may run inside a caller's db.Write, and creating an index
	// twice is harmless.
	err := s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.files().Indexes().CreateOne(ctx, mongo.IndexModel{
			Keys:    bson.D{{Key: "filename", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("filename_unique"),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("evidence: creating the unique index on %s.files: %w", bucketName, err)
	}
	s.indexMu.Lock()
	s.indexed = true
	s.indexMu.Unlock()
	return nil
}

// Stage implements Store: to a temporary file (to hash, size-check and sniff before anything
// reaches the database).
func (s *GridFSStore) Stage(ctx context.Context, r io.Reader, max int64) (_ *Staged, err error) {
	defer apperr.Wrap(&err, "evidence.GridFSStore.Stage")
	st, err := stage(ctx, r, max, s.tmpDir)
	if err != nil {
		return nil, err
	}
	return &Staged{Blob: st.blob, st: st}, nil
}

// Put implements Store.
func (s *GridFSStore) Put(ctx context.Context, r io.Reader, max int64) (Blob, error) {
	st, err := s.Stage(ctx, r, max)
	if err != nil {
		return Blob{}, err
	}
	defer st.Close()
	return st.Blob, s.Commit(ctx, st)
}

// Commit implements Store: upload unless the ID is stored already.
func (s *GridFSStore) Commit(ctx context.Context, sd *Staged) (err error) {
	defer apperr.Wrap(&err, "evidence.GridFSStore.Commit")
	st := sd.st
	// Checked once without the write lock, so re-uploads of known bytes don't queue behind
	// other writers on the embedded engine.
	if ok, err := s.Has(ctx, st.blob.ID); err != nil {
		return err
	} else if ok {
		return nil
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		// And again under the lock: on the embedded engine a Put of the same bytes may have
		// finished while this one waited.
		if ok, err := s.Has(ctx, st.blob.ID); err != nil || ok {
			return err
		}
		return s.upload(ctx, st)
	})
}

// upload writes the staged file as a new GridFS file named by its ID. The driver inserts the
// chunks first and the files document last, so the bytes become visible (Has, Open) only
// once all of them are stored. On failure it removes what this upload wrote; if the failure
// is the unique index, another instance stored the same bytes first and that is success.
func (s *GridFSStore) upload(ctx context.Context, st *staged) error {
	if _, err := st.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewinding the staged upload: %w", err)
	}
	fileID := bson.NewObjectID()
	err := s.bucket().UploadFromStreamWithID(ctx, fileID, st.blob.ID, st.f)
	if err == nil {
		return nil
	}
	// The driver removes chunks only when the source fails, not when a write does.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if cerr := s.remove(cctx, fileID); cerr != nil {
		return errors.Join(fmt.Errorf("uploading %s: %w", st.blob.ID, err), cerr)
	}
	if mongo.IsDuplicateKeyError(err) {
		if ok, herr := s.Has(cctx, st.blob.ID); herr == nil && ok {
			return nil
		}
	}
	return fmt.Errorf("uploading %s: %w", st.blob.ID, err)
}

// remove deletes the GridFS file fileID: its files document first, so that it stops being
// visible before its chunks go, then the chunks. Missing parts are not an error.
func (s *GridFSStore) remove(ctx context.Context, fileID any) error {
	if _, err := s.files().DeleteOne(ctx, bson.D{{Key: "_id", Value: fileID}}); err != nil {
		return fmt.Errorf("removing GridFS file %v: %w", fileID, err)
	}
	if _, err := s.chunks().DeleteMany(ctx, bson.D{{Key: "files_id", Value: fileID}}); err != nil {
		return fmt.Errorf("removing the chunks of GridFS file %v: %w", fileID, err)
	}
	return nil
}

// Open implements Store. The returned reader fetches chunks as it is read, under ctx.
func (s *GridFSStore) Open(ctx context.Context, id string) (_ io.ReadCloser, _ int64, err error) {
	defer apperr.Wrap(&err, "evidence.GridFSStore.Open(%.64q)", id)
	if !ValidID(id) {
		return nil, 0, errNotFound()
	}
	ds, err := s.bucket().OpenDownloadStreamByName(ctx, id)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return nil, 0, errNotFound()
	} else if err != nil {
		return nil, 0, err
	}
	return ds, ds.GetFile().Length, nil
}

// Has implements Store.
func (s *GridFSStore) Has(ctx context.Context, id string) (bool, error) {
	if !ValidID(id) {
		return false, nil
	}
	err := s.files().FindOne(ctx, bson.D{{Key: "filename", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("evidence.GridFSStore.Has(%s): %w", id, err)
	}
	return true, nil
}

// Delete implements Store. It removes every GridFS file named id (there is one, but a copy
// uploaded before the unique index existed must go too). An invalid id names nothing.
func (s *GridFSStore) Delete(ctx context.Context, id string) (err error) {
	if !ValidID(id) {
		return nil
	}
	defer apperr.Wrap(&err, "evidence.GridFSStore.Delete(%s)", id)
	return s.db.Write(ctx, func(ctx context.Context) error {
		cur, err := s.files().Find(ctx, bson.D{{Key: "filename", Value: id}},
			options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			return err
		}
		var docs []struct {
			ID any `bson:"_id"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return err
		}
		for _, d := range docs {
			if err := s.remove(ctx, d.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
