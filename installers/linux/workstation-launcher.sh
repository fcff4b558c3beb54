#!/bin/sh
# /usr/bin/workstation: the bundled workstation installed under /opt/workstation.
exec /opt/workstation/workstation "$@"
