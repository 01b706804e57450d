# Dovecot config for the integration tests: one private instance per test file.
# {{DIR}} is a fresh mkdtemp folder and {{PORT}} a free loopback port; tests/support/dovecot.ts fills them in.
# Everything (sockets, state, logs) stays under {{DIR}}, so no system change and no clash between instances.
base_dir = {{DIR}}/run
state_dir = {{DIR}}/state
log_path = {{DIR}}/dovecot.log
instance_name = helpdesk-test-{{PORT}}

protocols = imap
listen = 127.0.0.1
ssl = no
# Plaintext is fine on loopback and keeps the client setup trivial.
disable_plaintext_auth = no
auth_mechanisms = {{MECHANISMS}}

# Password mode: the passwd-file below. OAuth2 mode (startDovecot({ oauth2 })) puts the oauth2 passdb and a master
# user first (see {{DIR}}/oauth2.conf and STACK-NOTES "Dovecot with OAuth2 only").
{{OAUTH2_PASSDB}}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {{DIR}}/passwd
}
# Dovecot refuses to store mail as uid 0, so Debian's `mail` user (uid/gid 8) owns the mail folder.
userdb {
  driver = static
  args = uid=mail gid=mail home={{DIR}}/mail/%n
}
first_valid_uid = 8
first_valid_gid = 8
mail_location = maildir:~/Maildir

namespace inbox {
  inbox = yes
  separator = /
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = {{PORT}}
  }
  inet_listener imaps {
    port = 0
  }
}
