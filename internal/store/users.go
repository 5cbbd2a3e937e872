package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// userRecord is a row of users.
type userRecord struct {
	ID                 int64       `gorm:"column:id;primaryKey"`
	Email              string      `gorm:"column:email"`
	Name               string      `gorm:"column:name"`
	Role               string      `gorm:"column:role"`
	PasswordHash       *string     `gorm:"column:password_hash"`
	MustChangePassword bool        `gorm:"column:must_change_password"`
	PasswordExpiresAt  *dbTime     `gorm:"column:password_expires_at"`
	OIDCIssuer         string      `gorm:"column:oidc_issuer"`
	OIDCSubject        string      `gorm:"column:oidc_subject"`
	Groups             jsonStrings `gorm:"column:oidc_groups"`
	Disabled           bool        `gorm:"column:disabled"`
	SessionVersion     int         `gorm:"column:session_version"`
	LastLoginAt        *dbTime     `gorm:"column:last_login_at"`
	CreatedAt          dbTime      `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt          dbTime      `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (userRecord) TableName() string { return "users" }

func (r userRecord) domain() incident.User {
	u := incident.User{
		ID: r.ID, Email: r.Email, Name: r.Name, Role: incident.Role(r.Role),
		MustChangePassword: r.MustChangePassword, PasswordExpiresAt: fromDBPtr(r.PasswordExpiresAt),
		OIDCIssuer: r.OIDCIssuer, OIDCSubject: r.OIDCSubject, Groups: []string(r.Groups), Disabled: r.Disabled, SessionVersion: r.SessionVersion,
		LastLoginAt: fromDBPtr(r.LastLoginAt), CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt),
	}
	if r.PasswordHash != nil {
		u.PasswordHash = *r.PasswordHash
	}
	return u
}

// ErrEmailTaken is returned when a user with the e-mail address (in any
// case) exists already.
var ErrEmailTaken = errors.New("store: e-mail address taken")

// CreateUser inserts u and sets its ID and times. A taken e-mail address
// (compared case-insensitively by the users_email_key index) is a
// validation error on email wrapping ErrEmailTaken.
func (s *Store) CreateUser(ctx context.Context, u *incident.User) error {
	now := s.nowUTC()
	rec := userRecord{
		Email: u.Email, Name: u.Name, Role: string(u.Role), MustChangePassword: u.MustChangePassword, PasswordExpiresAt: toDBPtr(u.PasswordExpiresAt),
		OIDCIssuer: u.OIDCIssuer, OIDCSubject: u.OIDCSubject, Groups: labels(u.Groups), Disabled: u.Disabled,
		SessionVersion: 1, LastLoginAt: toDBPtr(u.LastLoginAt), CreatedAt: toDB(now), UpdatedAt: toDB(now),
	}
	if u.PasswordHash != "" {
		rec.PasswordHash = &u.PasswordHash
	}
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return &emailTakenError{email: u.Email}
		}
		return fmt.Errorf("store: create user: %w", err)
	}
	*u = rec.domain()
	return nil
}

// emailTakenError is a ValidationError on email that is also ErrEmailTaken.
type emailTakenError struct{ email string }

func (e *emailTakenError) Error() string {
	return "email: is taken: a user " + e.email + " exists already"
}
func (e *emailTakenError) Is(target error) bool { return target == ErrEmailTaken }
func (e *emailTakenError) As(target any) bool {
	if v, ok := target.(**incident.ValidationError); ok {
		*v = &incident.ValidationError{Fields: map[string]string{"email": "is taken: a user " + e.email + " exists already"}}
		return true
	}
	return false
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (incident.User, error) {
	var rec userRecord
	if err := s.conn(ctx).Where("id = ?", id).Take(&rec).Error; err != nil {
		return incident.User{}, authNotFound(err, "user", fmt.Sprint(id))
	}
	return rec.domain(), nil
}

// UserByEmail returns the user with the e-mail address, in any case.
func (s *Store) UserByEmail(ctx context.Context, email string) (incident.User, error) {
	var rec userRecord
	if err := s.conn(ctx).Where("lower(email) = ?", strings.ToLower(strings.TrimSpace(email))).Take(&rec).Error; err != nil {
		return incident.User{}, authNotFound(err, "user", email)
	}
	return rec.domain(), nil
}

// UserByOIDC returns the user the provider knows as issuer + subject.
func (s *Store) UserByOIDC(ctx context.Context, issuer, subject string) (incident.User, error) {
	var rec userRecord
	if err := s.conn(ctx).Where("oidc_issuer = ? AND oidc_subject = ?", issuer, subject).Take(&rec).Error; err != nil {
		return incident.User{}, authNotFound(err, "user", subject)
	}
	return rec.domain(), nil
}

// Users lists every user, by e-mail address.
func (s *Store) Users(ctx context.Context) ([]incident.User, error) {
	var recs []userRecord
	if err := s.conn(ctx).Order("lower(email), id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	out := make([]incident.User, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&userRecord{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// UserUpdate names the columns UpdateUser writes; nil fields stay.
type UserUpdate struct {
	Email        *string // normalized by the caller
	Name         *string
	Role         *incident.Role
	Disabled     *bool
	PasswordHash *string // "" clears the password
	// PasswordExpiresAt goes with PasswordHash (ignored without it): when
	// a one-time password ends; nil for a password that does not.
	PasswordExpiresAt  *time.Time
	MustChangePassword *bool
	OIDCIssuer         *string
	OIDCSubject        *string
	Groups             *[]string
	LastLoginAt        *time.Time
	// BumpSessions ends every session of the user (raises session_version).
	BumpSessions bool
}

// UpdateUser writes the set fields of up to user id and returns the user.
func (s *Store) UpdateUser(ctx context.Context, id int64, up UserUpdate) (incident.User, error) {
	set := map[string]any{"updated_at": toDB(s.nowUTC())}
	if up.Email != nil {
		set["email"] = *up.Email
	}
	if up.Name != nil {
		set["name"] = *up.Name
	}
	if up.Role != nil {
		set["role"] = string(*up.Role)
	}
	if up.Disabled != nil {
		set["disabled"] = *up.Disabled
	}
	if up.PasswordHash != nil {
		if *up.PasswordHash == "" {
			set["password_hash"] = nil
		} else {
			set["password_hash"] = *up.PasswordHash
		}
		if up.PasswordExpiresAt != nil {
			set["password_expires_at"] = toDB(*up.PasswordExpiresAt)
		} else {
			set["password_expires_at"] = nil
		}
	}
	if up.MustChangePassword != nil {
		set["must_change_password"] = *up.MustChangePassword
	}
	if up.OIDCIssuer != nil {
		set["oidc_issuer"] = *up.OIDCIssuer
	}
	if up.OIDCSubject != nil {
		set["oidc_subject"] = *up.OIDCSubject
	}
	if up.Groups != nil {
		set["oidc_groups"] = jsonStrings(labels(*up.Groups))
	}
	if up.LastLoginAt != nil {
		set["last_login_at"] = toDB(*up.LastLoginAt)
	}
	if up.BumpSessions {
		set["session_version"] = gorm.Expr("session_version + 1")
	}
	res := s.conn(ctx).Model(&userRecord{}).Where("id = ?", id).Updates(set)
	if res.Error != nil {
		return incident.User{}, fmt.Errorf("store: update user: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.User{}, incident.NotFound("user", fmt.Sprint(id))
	}
	return s.User(ctx, id)
}

// authNotFound maps gorm's not-found to the domain's.
func authNotFound(err error, object, ref string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return incident.NotFound(object, ref)
	}
	return fmt.Errorf("store: %s %s: %w", object, ref, err)
}
