package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// userCmd manages accounts on the data dir's database (or
// HINDSIGHT_DATABASE_URL), as an operator with access to it.
type userCmd struct {
	Create        userCreateCmd        `cmd:"" help:"Create a local account; prints a one-time password unless --password-stdin."`
	List          userListCmd          `cmd:"" help:"List accounts."`
	SetRole       userSetRoleCmd       `cmd:"" name:"set-role" help:"Change an account's role (viewer, editor, admin)."`
	Disable       userDisableCmd       `cmd:"" help:"Disable an account: its sessions end and its tokens stop working."`
	Enable        userEnableCmd        `cmd:"" help:"Enable a disabled account again."`
	ResetPassword userResetPasswordCmd `cmd:"" name:"reset-password" help:"Give an account a new one-time password (printed once); its sessions end and its API tokens are revoked."`
}

// cliActor is who the audit log names for changes made from the command line.
const cliActor = "cli"

// userApp opens the store and an app for account commands.
func (e *env) userApp() (*app.App, func(), error) {
	if err := e.setup(); err != nil {
		return nil, nil, err
	}
	s, err := e.openStore()
	if err != nil {
		return nil, nil, err
	}
	e.ctx = incident.WithActor(e.ctx, incident.Actor{Name: cliActor})
	loc, _ := e.cfg.Location()
	return app.New(s, app.Options{Logger: e.log, Location: loc}), func() { s.Close() }, nil
}

// findUser resolves an e-mail address or numeric id.
func findUser(e *env, a *app.App, ref string) (incident.User, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return a.User(e.ctx, id)
	}
	return a.UserByEmail(e.ctx, ref)
}

// withUser opens the app on the database and runs fn with the account ref
// names (an e-mail address or an id).
func withUser(e *env, ref string, fn func(a *app.App, u incident.User) error) error {
	a, done, err := e.userApp()
	if err != nil {
		return err
	}
	defer done()
	u, err := findUser(e, a, ref)
	if err != nil {
		return cliError(err)
	}
	return fn(a, u)
}

// cliError turns validation and not-found errors into usage errors.
func cliError(err error) error {
	var verr *incident.ValidationError
	if errors.As(err, &verr) || errors.Is(err, incident.ErrNotFound) {
		return usageError{err}
	}
	return err
}

type userCreateCmd struct {
	Email         string `required:"" help:"E-mail address (the sign-in name)." placeholder:"EMAIL"`
	Role          string `default:"viewer" enum:"viewer,editor,admin" help:"viewer, editor or admin."`
	Name          string `help:"Display name." placeholder:"NAME"`
	PasswordStdin bool   `name:"password-stdin" help:"Read the password from standard input instead of printing a one-time password."`
}

// Run creates the account.
func (c userCreateCmd) Run(e *env) error {
	pw := ""
	if c.PasswordStdin {
		var err error
		if pw, err = readSecretLine(os.Stdin); err != nil {
			return usageError{fmt.Errorf("--password-stdin: %w", err)}
		}
	}
	a, done, err := e.userApp()
	if err != nil {
		return err
	}
	defer done()
	u, oneTime, err := a.CreateUser(e.ctx, app.NewUser{Email: c.Email, Name: c.Name, Role: incident.Role(c.Role), Password: pw})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(e.stdout, "User %s created (id %d, role %s).\n", u.Email, u.ID, u.Role)
	if oneTime != "" {
		fmt.Fprintf(e.stdout, "One-time password (shown once; it must be changed at the first sign-in, within %s): %s\n", otpTTL(), oneTime)
	}
	return nil
}

// readSecretLine reads one line (a password) from r.
func readSecretLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

type userListCmd struct{}

// Run lists the accounts.
func (userListCmd) Run(e *env) error {
	a, done, err := e.userApp()
	if err != nil {
		return err
	}
	defer done()
	us, err := a.Users(e.ctx)
	if err != nil {
		return err
	}
	if len(us) == 0 {
		fmt.Fprintln(e.stdout, "No users. Create one with: hindsight user create --email <email> --role admin")
		return nil
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tEMAIL\tNAME\tROLE\tSIGN-IN\tSTATE\tLAST SIGN-IN")
	for _, u := range us {
		how := "password"
		switch {
		case u.OIDCSubject != "" && u.PasswordHash != "":
			how = "sso+password"
		case u.OIDCSubject != "":
			how = "sso"
		}
		state := "active"
		switch {
		case u.Disabled:
			state = "disabled"
		case u.MustChangePassword:
			state = "must change password"
		}
		last := "never"
		if u.LastLoginAt != nil {
			last = u.LastLoginAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, termLine(u.Name), u.Role, how, state, last)
	}
	return w.Flush()
}

type userSetRoleCmd struct {
	User string `arg:"" help:"E-mail address or id."`
	Role string `arg:"" enum:"viewer,editor,admin" help:"viewer, editor or admin."`
}

// Run changes the role.
func (c userSetRoleCmd) Run(e *env) error {
	return withUser(e, c.User, func(a *app.App, u incident.User) error {
		role := incident.Role(c.Role)
		u, err := a.UpdateUser(e.ctx, u.ID, incident.UserPatch{Role: &role})
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(e.stdout, "User %s is now %s.\n", u.Email, u.Role)
		return nil
	})
}

type userDisableCmd struct {
	User string `arg:"" help:"E-mail address or id."`
}

// Run disables the account.
func (c userDisableCmd) Run(e *env) error { return setDisabled(e, c.User, true) }

type userEnableCmd struct {
	User string `arg:"" help:"E-mail address or id."`
}

// Run enables the account.
func (c userEnableCmd) Run(e *env) error { return setDisabled(e, c.User, false) }

func setDisabled(e *env, ref string, disabled bool) error {
	return withUser(e, ref, func(a *app.App, u incident.User) error {
		u, err := a.UpdateUser(e.ctx, u.ID, incident.UserPatch{Disabled: &disabled})
		if err != nil {
			return cliError(err)
		}
		if disabled {
			fmt.Fprintf(e.stdout, "User %s is disabled; their sessions ended and their tokens stop working.\n", u.Email)
		} else {
			fmt.Fprintf(e.stdout, "User %s is enabled.\n", u.Email)
		}
		return nil
	})
}

type userResetPasswordCmd struct {
	User string `arg:"" help:"E-mail address or id."`
}

// Run resets the password.
func (c userResetPasswordCmd) Run(e *env) error {
	return withUser(e, c.User, func(a *app.App, u incident.User) error {
		pw, err := a.ResetPassword(e.ctx, u.ID)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(e.stdout, "New one-time password for %s (shown once; it must be changed at the next sign-in, within %s): %s\n",
			u.Email, otpTTL(), pw)
		fmt.Fprintf(e.stdout, "Its sessions ended and its API tokens were revoked.\n")
		return nil
	})
}

// otpTTL says how long a one-time password works, for messages.
func otpTTL() string { return fmt.Sprintf("%d hours", int(app.OneTimePasswordTTL.Hours())) }
