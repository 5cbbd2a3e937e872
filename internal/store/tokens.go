package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// tokenRecord is a row of api_tokens.
type tokenRecord struct {
	ID         int64       `gorm:"column:id;primaryKey"`
	UserID     int64       `gorm:"column:user_id"`
	Name       string      `gorm:"column:name"`
	Scopes     jsonStrings `gorm:"column:scopes"`
	TokenHash  string      `gorm:"column:token_hash"`
	Prefix     string      `gorm:"column:prefix"`
	ExpiresAt  *dbTime     `gorm:"column:expires_at"`
	LastUsedAt *dbTime     `gorm:"column:last_used_at"`
	RevokedAt  *dbTime     `gorm:"column:revoked_at"`
	CreatedAt  dbTime      `gorm:"column:created_at;autoCreateTime:false"`
}

func (tokenRecord) TableName() string { return "api_tokens" }

// tokenRow is a token with its user's e-mail address (the columns of
// tokenRecord, spelled out: gorm does not fill an embedded struct from a
// joined query).
type tokenRow struct {
	ID         int64       `gorm:"column:id"`
	UserID     int64       `gorm:"column:user_id"`
	Name       string      `gorm:"column:name"`
	Scopes     jsonStrings `gorm:"column:scopes"`
	TokenHash  string      `gorm:"column:token_hash"`
	Prefix     string      `gorm:"column:prefix"`
	ExpiresAt  *dbTime     `gorm:"column:expires_at"`
	LastUsedAt *dbTime     `gorm:"column:last_used_at"`
	RevokedAt  *dbTime     `gorm:"column:revoked_at"`
	CreatedAt  dbTime      `gorm:"column:created_at"`
	UserEmail  string      `gorm:"column:user_email"`
}

func (r tokenRow) domain() incident.APIToken {
	t := incident.APIToken{
		ID: r.ID, UserID: r.UserID, UserEmail: r.UserEmail, Name: r.Name, Hash: r.TokenHash, Prefix: r.Prefix,
		ExpiresAt: fromDBPtr(r.ExpiresAt), LastUsedAt: fromDBPtr(r.LastUsedAt), RevokedAt: fromDBPtr(r.RevokedAt),
		CreatedAt: time.Time(r.CreatedAt),
	}
	for _, s := range r.Scopes {
		t.Scopes = append(t.Scopes, incident.Scope(s))
	}
	return t
}

// CreateToken inserts t (with its hash, never the secret) and sets its ID.
func (s *Store) CreateToken(ctx context.Context, t *incident.APIToken) error {
	scopes := make(jsonStrings, len(t.Scopes))
	for i, sc := range t.Scopes {
		scopes[i] = string(sc)
	}
	rec := tokenRecord{UserID: t.UserID, Name: t.Name, Scopes: scopes, TokenHash: t.Hash, Prefix: t.Prefix,
		ExpiresAt: toDBPtr(t.ExpiresAt), CreatedAt: toDB(s.nowUTC())}
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		if errors.Is(err, gorm.ErrForeignKeyViolated) {
			return incident.NotFound("user", fmt.Sprint(t.UserID))
		}
		return fmt.Errorf("store: create token: %w", err)
	}
	t.ID, t.CreatedAt = rec.ID, time.Time(rec.CreatedAt)
	return nil
}

func (s *Store) tokenQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("api_tokens t").Select("t.*, u.email AS user_email").Joins("JOIN users u ON u.id = t.user_id")
}

// TokenByHash returns the token whose secret hashes to hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (incident.APIToken, error) {
	var row tokenRow
	if err := s.tokenQuery(ctx).Where("t.token_hash = ?", hash).Take(&row).Error; err != nil {
		return incident.APIToken{}, authNotFound(err, "token", "")
	}
	return row.domain(), nil
}

// Token returns the token with id.
func (s *Store) Token(ctx context.Context, id int64) (incident.APIToken, error) {
	var row tokenRow
	if err := s.tokenQuery(ctx).Where("t.id = ?", id).Take(&row).Error; err != nil {
		return incident.APIToken{}, authNotFound(err, "token", fmt.Sprint(id))
	}
	return row.domain(), nil
}

// Tokens lists the tokens of user userID (0: of every user), newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]incident.APIToken, error) {
	q := s.tokenQuery(ctx)
	if userID != 0 {
		q = q.Where("t.user_id = ?", userID)
	}
	var rows []tokenRow
	if err := q.Order("t.id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	out := make([]incident.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// RevokeToken marks token id revoked at at, and reports whether it was
// live. Revoking a revoked token keeps the first time.
func (s *Store) RevokeToken(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&tokenRecord{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", toDB(at))
	if res.Error != nil {
		return false, fmt.Errorf("store: revoke token: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

// RevokeUserTokens marks every live token of user userID revoked at at,
// and returns how many it revoked.
func (s *Store) RevokeUserTokens(ctx context.Context, userID int64, at time.Time) (int64, error) {
	res := s.conn(ctx).Model(&tokenRecord{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", toDB(at))
	if res.Error != nil {
		return 0, fmt.Errorf("store: revoke the user's tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// TouchToken records that token id was used at at, unless it was recorded
// less than every ago: most requests then cost no write.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time, every time.Duration) (bool, error) {
	res := s.conn(ctx).Model(&tokenRecord{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, toDB(at.Add(-every))).
		Update("last_used_at", toDB(at))
	if res.Error != nil {
		return false, fmt.Errorf("store: touch token: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}
