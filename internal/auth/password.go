package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters of new hashes: RFC 9106's second recommended
// option (64 MiB, 3 passes) with 2 lanes, about 50 ms on a server core. They
// are written into every hash, so they can be raised later without breaking
// old hashes (NeedsRehash tells when a hash was made with weaker ones).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MaxConcurrentHashes bounds the argon2id computations the process runs at
// once. Each one allocates 64 MiB, so without a bound a burst of sign-ins
// (bad ones included) from a few addresses could take gigabytes; beyond the
// bound a request waits for a slot (or until it is cancelled), which costs
// time, not memory. 4 slots is 256 MiB at most.
const MaxConcurrentHashes = 4

// hashSlots is the process-wide semaphore of MaxConcurrentHashes.
var hashSlots = make(chan struct{}, MaxConcurrentHashes)

// idKey computes an argon2id key in one of the hash slots, waiting for a
// free one as long as ctx allows.
func idKey(ctx context.Context, pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) ([]byte, error) {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hashSlots }()
	return argon2.IDKey(pw, salt, time, memory, threads, keyLen), nil
}

// Password length limits, in characters. The upper bound keeps a hash
// request from being a denial of service.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// ErrBadHash is returned for a stored hash that is not an argon2id PHC string.
var ErrBadHash = errors.New("auth: malformed password hash")

// CheckPassword says what is wrong with a new password, or returns nil.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return fmt.Errorf("must be at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Errorf("must be at most %d characters", MaxPasswordLen)
	case strings.TrimSpace(pw) == "":
		return errors.New("must not be blank")
	}
	return nil
}

// HashPassword returns the PHC string of pw:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash> (unpadded standard base64).
func HashPassword(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := idKey(ctx, []byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// argonParams are the parameters decoded from a PHC string.
type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

func decodeHash(encoded string) (argonParams, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, ErrBadHash
	}
	// Bound what a stored hash may ask for, so a corrupted row cannot make
	// one sign-in allocate gigabytes.
	if p.memory == 0 || p.memory > 1<<21 || p.time == 0 || p.time > 20 || p.threads == 0 {
		return p, ErrBadHash
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, ErrBadHash
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) < 16 {
		return p, ErrBadHash
	}
	return p, nil
}

// VerifyPassword reports whether pw matches the encoded hash, comparing in
// constant time. A malformed hash is an error, never a match. A password
// too long to be one is not hashed (that would be a denial of service) but
// still costs one hash's time, so that the answer does not tell an
// existing account from an unknown one (whose sign-in calls WasteTime).
// It fails only when ctx ends while waiting for a hash slot.
func VerifyPassword(ctx context.Context, encoded, pw string) (bool, error) {
	if len(pw) > 4*MaxPasswordLen {
		return false, WasteTime(ctx, "")
	}
	p, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	key, err := idKey(ctx, []byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// WasteTime spends the time of one password verification. A sign-in for
// an unknown account or an account without a password calls it, so that
// the answer takes as long as for a wrong password and does not tell which
// accounts exist. It takes a hash slot like a real verification. The
// password is not hashed beyond 4*MaxPasswordLen bytes (the cost of argon2id
// hardly depends on the length).
func WasteTime(ctx context.Context, pw string) error {
	if len(pw) > 4*MaxPasswordLen {
		pw = pw[:4*MaxPasswordLen]
	}
	_, err := idKey(ctx, []byte(pw), make([]byte, argonSaltLen), argonTime, argonMemory, argonThreads, argonKeyLen)
	return err
}

// RandomPassword returns a one-time password: 20 characters from an
// alphabet without look-alikes (about 115 bits).
func RandomPassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}
