# Base tools the other installers and checks use. The CI image ships them; on a bare Debian
# machine they come from apt (only when missing).
command -v python3 >/dev/null 2>&1 || apt_install python3
python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
command -v java >/dev/null 2>&1 || apt_install default-jdk-headless
command -v gcc >/dev/null 2>&1 || apt_install gcc
