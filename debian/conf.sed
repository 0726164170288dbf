# examples/arctic-digest.conf -> /etc/arctic-digest/arctic-digest.conf
# (debian/rules).  The pinned clock goes; what the service writes goes to
# its StateDirectory, /var/lib/arctic-digest (/etc is read-only to it).
1i\
; /etc/arctic-digest/arctic-digest.conf: made by the Debian package from\
; the bundled example, without its pinned clock; the service\
; (arctic-digest.service) reads it.  Every key: arctic-digest.conf(5).\
;
/^clock = /d
s|^; unsubscribe_secret_file = .*|unsubscribe_secret_file = /var/lib/arctic-digest/unsubscribe.key|
s|^state = .*|state = /var/lib/arctic-digest/arctic-digest.db|
s|^subscribers = .*|subscribers = /var/lib/arctic-digest/subscribers.csv|
s|^outbox = .*|outbox = /var/lib/arctic-digest/outbox|
s|^archive = .*|archive = /var/lib/arctic-digest/archive|
s|^url = feeds/|url = /usr/share/arctic-digest/examples/feeds/|
