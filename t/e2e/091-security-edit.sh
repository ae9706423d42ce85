#!/bin/bash
# User story: a hostile node cannot make xdcp change the management node's own files (links, set-id, MERGE).
# What a node holds never reaches the management node's own files: a
# node's symlinks are never resolved on the MN (APPEND, MERGE, -P), pulled
# files are never set-id, -i never writes through an image's link to the
# MN's own paths. MERGE and APPEND keep every attribute of the target and
# check their input first.
. "$(dirname "$0")/lib.sh"

R=$WORK/ref
mkdir -p $R
# A file only the management node has (each host's /root is its own).
secret="mn-secret-$$"
echo "$secret" >/root/xdcp-e2e-secret
printf 'leak:x:4242:4242:%s:/:/bin/sh\n' "$secret" >/tmp/xdcp-e2e-passwd.cn2
cleanup() {
  rm -f /root/xdcp-e2e-secret /tmp/xdcp-e2e-passwd.cn2 /etc/xcat/nodelist.xml
  on cn2 sh -c 'if [ -h /etc/passwd ]; then rm -f /etc/passwd && cp -p /tmp/xdcp-e2e-passwd.cn2 /etc/passwd; fi' 2>/dev/null
}
trap cleanup EXIT
# no_secret HOST PATH...: the MN's secret is in none of the files.
no_secret() {
  local h=$1
  shift
  ! on "$h" grep -rqsF -- "$secret" "$@"
}

# --- APPEND and MERGE never read a node's symlink on the MN ---------------
echo "appended line" >$R/app
printf 'APPEND:\n%s -> /tmp/sec/motd\n' $R/app >$WORK/append.synclist
on cn1 sh -c 'rm -rf /tmp/sec && mkdir /tmp/sec && ln -s /root/xdcp-e2e-secret /tmp/sec/motd'
xdcp cn1 -F $WORK/append.synclist
check "APPEND to a node's symlink pointing at an MN-only file: refused, transfer, nothing written" eval \
  'rc_is 1 && err_has "Error: cn1: transfer: /tmp/sec/motd is not a regular file on the node" && on cn1 test -h /tmp/sec/motd && [ "$(on cn1 readlink /tmp/sec/motd)" = /root/xdcp-e2e-secret ] && no_secret cn1 /tmp/sec /etc'

on cn1 sh -c 'rm -rf /tmp/sec && mkdir -p /tmp/sec/motd'
xdcp cn1 -F $WORK/append.synclist
check "APPEND to a directory on the node: refused, transfer" eval \
  'rc_is 1 && err_has "Error: cn1: transfer: /tmp/sec/motd is not a regular file on the node" && on cn1 test -d /tmp/sec/motd && [ -z "$(on cn1 ls -A /tmp/sec/motd)" ]'

# cn2's /etc/passwd is a link to a file at a path where the MN holds
# something else; the node itself still logs in through the link.
on cn2 sh -c 'cp -p /etc/passwd /tmp/xdcp-e2e-passwd.cn2 && rm /etc/passwd && ln -s /tmp/xdcp-e2e-passwd.cn2 /etc/passwd'
printf 'newuser:x:3001:3001::/home/newuser:/bin/sh\n' >$R/merge.passwd
printf 'MERGE:\n%s -> /etc/passwd\n' $R/merge.passwd >$WORK/merge.synclist
xdcp cn2 -F $WORK/merge.synclist
check "MERGE into a node's symlinked /etc/passwd: refused, the link and its target unchanged" eval \
  'rc_is 1 && err_has "Error: cn2: transfer: /etc/passwd is not a regular file on the node" && on cn2 test -h /etc/passwd && no_secret cn2 /etc/passwd /tmp/xdcp-e2e-passwd.cn2 && ! on cn2 grep -q ^newuser: /etc/passwd'
cleanup_passwd() { on cn2 sh -c 'rm -f /etc/passwd && cp -p /tmp/xdcp-e2e-passwd.cn2 /etc/passwd'; }
cleanup_passwd

# --- MERGE and APPEND keep every attribute of the target -------------------
# attrs HOST PATH: owner, group and mode (the part that must never change).
attrs() { on "$1" stat -c '%U:%G %a' "$2"; }
# ident HOST PATH: inode and mtime (unchanged only by a no-op).
ident() { on "$1" stat -c '%i %Y' "$2"; }
# shadow: root:shadow 0640 on Debian; give it that on every distribution.
on cn3 sh -c 'sed -i /^keep/d /etc/passwd /etc/shadow /etc/group && chgrp shadow /etc/shadow /etc/gshadow && chmod 0640 /etc/shadow /etc/gshadow && touch -d 2001-02-03 /etc/passwd /etc/shadow /etc/group'
for f in passwd shadow group; do eval "before_$f=\$(attrs cn3 /etc/$f)"; done
printf 'keepuser:x:3002:3002::/home/keepuser:/bin/sh\n' >$R/keep.passwd
printf 'keepuser:!:19000:0:99999:7:::\n' >$R/keep.shadow
printf 'keepgroup:x:3002:\n' >$R/keep.group
printf 'MERGE:\n%s -> /etc/passwd\n%s -> /etc/shadow\n%s -> /etc/group\n' \
  $R/keep.passwd $R/keep.shadow $R/keep.group >$WORK/keep.synclist
xdcp cn3 -F $WORK/keep.synclist
check "MERGE keeps owner, group and mode of passwd, shadow (root:shadow 0640) and group" eval \
  'rc_is 0 && on cn3 grep -q ^keepuser: /etc/shadow && [ "$(attrs cn3 /etc/passwd)" = "$before_passwd" ] && [ "$(attrs cn3 /etc/shadow)" = "root:shadow 640" ] && [ "$(attrs cn3 /etc/group)" = "$before_group" ]'
check "... and gives the changed files a new mtime" eval \
  '[ "$(on cn3 stat -c %Y /etc/shadow)" != "$(on cn3 date -d 2001-02-03 +%s)" ]'
on cn3 sh -c 'touch -d 2001-02-03 /etc/passwd /etc/shadow /etc/group'
for f in passwd shadow group; do eval "id_$f=\$(ident cn3 /etc/$f)"; done
xdcp cn3 -F $WORK/keep.synclist
check "a MERGE that changes nothing leaves inode and mtime of every target alone" eval \
  'rc_is 0 && [ "$(ident cn3 /etc/passwd)" = "$id_passwd" ] && [ "$(ident cn3 /etc/shadow)" = "$id_shadow" ] && [ "$(ident cn3 /etc/group)" = "$id_group" ]'
no_leftover_temps() { [ -z "$(on "$1" find "$2" -maxdepth 1 -name '*.xdcp.*')" ]; }
check "... and no temporary file is left beside the targets" no_leftover_temps cn3 /etc

printf 'APPEND:\n%s -> /tmp/sec/user\n%s -> /tmp/sec/acl\n' $R/app $R/app >$WORK/keep-append.synclist
on cn1 sh -c 'rm -rf /tmp/sec && mkdir /tmp/sec && echo mine > /tmp/sec/user && chown daemon:daemon /tmp/sec/user && chmod 0600 /tmp/sec/user && echo acl > /tmp/sec/acl && chmod 0644 /tmp/sec/acl'
acl=no
if on cn1 setfacl -m u:daemon:rw /tmp/sec/acl 2>/dev/null && on cn1 setfattr -n user.xdcp -v kept /tmp/sec/acl 2>/dev/null; then acl=yes; fi
xdcp cn1 -F $WORK/keep-append.synclist
check "APPEND keeps a normal user's file daemon:daemon 0600" eval \
  'rc_is 0 && [ "$(attrs cn1 /tmp/sec/user)" = "daemon:daemon 600" ] && on cn1 grep -qx mine /tmp/sec/user && on cn1 grep -qx "appended line" /tmp/sec/user'
if [ $acl = yes ]; then
  check "APPEND keeps the target's ACL and user xattr" eval \
    'on cn1 getfacl -cp /tmp/sec/acl | grep -qx "user:daemon:rw-" && [ "$(on cn1 getfattr --absolute-names --only-values -n user.xdcp /tmp/sec/acl)" = kept ]'
else
  echo "# skipped: the test hosts' /tmp supports no ACL or user xattr"
fi
on cn1 touch -d 2001-02-03 /tmp/sec/user
id_user=$(ident cn1 /tmp/sec/user)
xdcp cn1 -F $WORK/keep-append.synclist
check "an APPEND that changes nothing leaves inode and mtime alone" eval \
  'rc_is 0 && [ "$(ident cn1 /tmp/sec/user)" = "$id_user" ] && no_leftover_temps cn1 /tmp/sec'

# --- MERGE input: CR LF endings, field counts ------------------------------
printf 'crlfuser:x:3003:3003::/home/crlfuser:/bin/bash\r\n' >$R/crlf.passwd
printf 'MERGE:\n%s -> /etc/passwd\n' $R/crlf.passwd >$WORK/crlf.synclist
xdcp cn4 -F $WORK/crlf.synclist
check "MERGE of a CR LF file: the record arrives without the CR" eval \
  'rc_is 0 && on cn4 grep -qx "crlfuser:x:3003:3003::/home/crlfuser:/bin/bash" /etc/passwd && ! on cn4 grep -q $'"'"'\r'"'"' /etc/passwd'
printf 'ok1:x:3004:3004::/h:/bin/sh\nshort:x:3005:3005:/h:/bin/sh\n' >$R/short.passwd
printf '%s -> /tmp/sec/first\nMERGE:\n%s -> /etc/passwd\n' $R/app $R/short.passwd >$WORK/short.synclist
id_passwd=$(ident cn4 /etc/passwd)
on cn4 rm -rf /tmp/sec
xdcp cn4 -F $WORK/short.synclist
check "a MERGE record with the wrong field count: FILE:LINE, exit 2, nothing sent" eval \
  'rc_is 2 && err_has "$R/short.passwd:2: 6 fields where /etc/passwd has 7" && [ "$(ident cn4 /etc/passwd)" = "$id_passwd" ] && absent cn4 /tmp/sec/first'

# --- with -r scp, MERGE and APPEND still work (they use rsync and ssh) -----
on cn4 sh -c 'rm -rf /tmp/sec && mkdir /tmp/sec && echo base > /tmp/sec/scp'
printf '%s -> /tmp/sec/copied\nAPPEND:\n%s -> /tmp/sec/scp\nMERGE:\n%s -> /etc/group\n' \
  $R/app $R/app $R/keep.group >$WORK/scp.synclist
xdcp cn4 -r /usr/bin/scp -F $WORK/scp.synclist
check "-r scp: APPEND and MERGE succeed and the plain copy goes by scp" eval \
  'rc_is 0 && on cn4 grep -qx "appended line" /tmp/sec/scp && on cn4 grep -q ^keepgroup: /etc/group && same_file $R/app cn4 /tmp/sec/copied'
on cn4 rm -rf /tmp/sec

# --- pulls: no live links, no set-id files on the MN ----------------------
on cn1 sh -c 'rm -rf /tmp/pt && mkdir -p /tmp/pt/sub && echo s > /tmp/pt/suid && chmod 4755 /tmp/pt/suid && echo g > /tmp/pt/sub/sgid && chmod 2755 /tmp/pt/sub/sgid && ln -s /root/xdcp-e2e-secret /tmp/pt/abs && ln -s suid /tmp/pt/rel && ln -s /root/xdcp-e2e-secret /tmp/pt/toplink'
mkdir -p $WORK/pulled
xdcp cn1 -R -p -P /tmp/pt $WORK/pulled
check "-R -P keeps a node's symlinks from resolving on the MN (links to /rsyncd-munged/...)" eval \
  'rc_is 0 && [ -f $WORK/pulled/pt._cn1/suid ] && ! cat $WORK/pulled/pt._cn1/abs 2>/dev/null | grep -qF "$secret" && ! [ -e $WORK/pulled/pt._cn1/abs ] && ! [ -e $WORK/pulled/pt._cn1/rel ] && [ "$(readlink $WORK/pulled/pt._cn1/abs)" = /rsyncd-munged//root/xdcp-e2e-secret ]'
check "-R -p -P leaves no set-id file on the MN" eval \
  '[ -z "$(find $WORK/pulled -perm /6000)" ] && [ -f $WORK/pulled/pt._cn1/sub/sgid ]'
xdcp cn1 -p -P /tmp/pt/suid $WORK/pulled
check "-p -P of a setuid file: the copy is not setuid" eval \
  'rc_is 0 && [ -f $WORK/pulled/suid._cn1 ] && [ -z "$(find $WORK/pulled/suid._cn1 -perm /6000)" ]'
for rcp in rsync scp; do
  rm -rf $WORK/pulled && mkdir -p $WORK/pulled
  xdcp cn1 -r $rcp -R -p -P /tmp/pt $WORK/pulled
  # (scp follows a node's links on the node, and fails on those that
  # dangle there; rsync sends them as links)
  check "-r $rcp -R -p -P: no set-id file and no live link to an MN path" eval \
    '[ -f $WORK/pulled/pt._cn1/suid ] && [ -z "$(find $WORK/pulled -perm /6000)" ] && ! grep -rqsF "$secret" $WORK/pulled'
done
# The legacy scp protocol (-O) sends set-id bits; xdcp clears them.
rm -rf $WORK/pulled && mkdir -p $WORK/pulled
xdcp cn1 -r scp --node-options=-O -p -P /tmp/pt/suid $WORK/pulled
check "-r scp -o -O -p -P of a setuid file: the copy is not setuid" eval \
  'rc_is 0 && [ -f $WORK/pulled/suid._cn1 ] && [ -z "$(find $WORK/pulled -perm /6000)" ]'

on cn1 rm -rf /tmp/pt
# Through a service node: the same rules, one /rsyncd-munged/ prefix.
on cn5 sh -c 'rm -rf /tmp/pt && mkdir /tmp/pt && echo s > /tmp/pt/suid && chmod 4755 /tmp/pt/suid && ln -s /root/xdcp-e2e-secret /tmp/pt/abs'
cat >/etc/xcat/nodelist.xml <<XML
<cluster><node name="sn1" groups="service"/><node name="cn5" servicenode="sn1"/></cluster>
XML
rm -rf $WORK/pulled && mkdir -p $WORK/pulled
XDCP_REMOTE_XDCP=$XDCP xdcp cn5 -R -p -P /tmp/pt $WORK/pulled
check "-R -p -P through a service node: no set-id file, links munged once" eval \
  'rc_is 0 && [ -f $WORK/pulled/pt._cn5/suid ] && [ -z "$(find $WORK/pulled -perm /6000)" ] && [ "$(readlink $WORK/pulled/pt._cn5/abs)" = /rsyncd-munged//root/xdcp-e2e-secret ]'
rm -f /etc/xcat/nodelist.xml
on cn5 rm -rf /tmp/pt

# --- -i: links inside the image resolve inside the image -------------------
img=$WORK/image
outside=$WORK/outside
name=xdcp-e2e-$$
mkdir -p $img/var $img/etc $outside/spool $R/tree/sub
ln -s /run $img/var/run
ln -s $outside/spool $img/var/spool
ln -s $outside/motd $img/etc/motd
echo mn-motd >$outside/motd
echo imagefile >$R/$name
echo treefile >$R/tree/sub/f
mkdir -p $img/opt/t && ln -s $outside $img/opt/t/sub
cat >$WORK/image.synclist <<EOF2
$R/$name -> /var/run/$name
$R/$name -> /var/spool/new/$name
$R/$name -> /etc/motd
$R/tree/ -> /opt/t/
EOF2
xdcp -i $img -r /usr/bin/scp -F $WORK/image.synclist
check "-i: an image's absolute links never send a write to the MN's own paths" eval \
  '[ ! -e /run/$name ] && [ ! -e $outside/spool/new ] && [ "$(cat $outside/motd)" = mn-motd ] && [ ! -e $outside/f ]'
check "-i (even with -r scp, and without --mkpath): the files land where the image's own links lead, inside the image" eval \
  'rc_is 0 && [ -f $img/run/$name ] && [ -f $img$outside/spool/new/$name ] && [ "$(cat $img$outside/motd)" = imagefile ] && [ -f $img/opt/t/sub/f ]'
rm -f /run/$name

finish
