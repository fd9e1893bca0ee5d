# Sourced by bin/* and .ci/run: points JAVA_HOME at a JDK >= 21.
# Keeps a JAVA_HOME that is already new enough; else picks the newest JDK under /usr/lib/jvm.
java_feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1; }
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_feature "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
  :
else
  best=""; best_v=0
  for d in /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/; do
    d=${d%/}
    [ -x "$d/bin/javac" ] || continue
    v=$(java_feature "$d")
    if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
  done
  if [ -z "$best" ]; then
    echo "No JDK >= 21 found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm, /opt). Install one, e.g. apt-get install openjdk-21-jdk-headless." >&2
    exit 1
  fi
  export JAVA_HOME=$best
fi
export PATH="$JAVA_HOME/bin:$PATH"
