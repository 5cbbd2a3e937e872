package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// sessionRecord is a row of sessions: what scs keeps for one session token.
// Token holds the token's SHA-256 (hex), never the token: whoever reads the
// database or a backup must not be able to replay a live session, for the
// same reason API tokens are stored hashed (migration 00011 deleted the rows
// that held tokens in clear).
type sessionRecord struct {
	Token  string `gorm:"column:token;primaryKey"`
	Data   []byte `gorm:"column:data"`
	Expiry dbTime `gorm:"column:expiry"`
}

func (sessionRecord) TableName() string { return "sessions" }

// Sessions is the session store of github.com/alexedwards/scs/v2 over this
// database (it implements scs.Store and scs.CtxStore without importing
// scs): every replica sees the same sessions, and deleting a row ends the
// session everywhere at once.
type Sessions struct{ s *Store }

// Sessions returns the scs store over s. Expiry is judged by the wall
// clock, not the store's (test) clock, because scs sets it by the wall clock.
func (s *Store) Sessions() *Sessions { return &Sessions{s: s} }

// sessionKey is the key a token is stored under: its SHA-256, in hex. scs
// hands the store the token on every call and never asks for it back, so
// nothing needs the clear value. Tokens are 256-bit random, so an unsalted
// fast hash is enough (nothing to guess).
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// FindCtx returns the data of an unexpired session.
func (ss *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var rec sessionRecord
	err := ss.s.conn(ctx).Where("token = ? AND expiry > ?", sessionKey(token), toDB(time.Now())).Take(&rec).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: find session: %w", err)
	}
	return rec.Data, true, nil
}

// CommitCtx adds or replaces a session.
func (ss *Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	rec := sessionRecord{Token: sessionKey(token), Data: b, Expiry: toDB(expiry)}
	err := ss.s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "token"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "expiry"}),
	}).Create(&rec).Error
	if err != nil {
		return fmt.Errorf("store: commit session: %w", err)
	}
	return nil
}

// DeleteCtx ends a session.
func (ss *Sessions) DeleteCtx(ctx context.Context, token string) error {
	if err := ss.s.conn(ctx).Where("token = ?", sessionKey(token)).Delete(&sessionRecord{}).Error; err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// Find implements scs.Store (scs uses the Ctx methods when they exist).
func (ss *Sessions) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (ss *Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (ss *Sessions) Delete(token string) error { return ss.DeleteCtx(context.Background(), token) }

// DeleteExpired removes sessions that have ended, and returns how many.
func (ss *Sessions) DeleteExpired(ctx context.Context) (int64, error) {
	res := ss.s.conn(ctx).Where("expiry <= ?", toDB(time.Now())).Delete(&sessionRecord{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}
