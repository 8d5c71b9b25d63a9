#!/bin/bash
# Writes the branch tests (beq.S ... bgeu.S): each row is "a b taken".
cd "$(dirname "$0")"
gen_branch() {
  name=$1; shift
  {
    echo "/* ${name^^}: taken and not taken on edge values, forward and backward. */"
    echo '#include "macros.h"'
    echo 'test:'
    n=1
    while [ $# -gt 0 ]; do
      a=$1; b=$2; taken=$3; shift 3
      echo "  li t0, $a"
      echo "  li t1, $b"
      echo "  li a0, $n"
      if [ "$taken" = 1 ]; then
        echo "  $name t0, t1, 1f"
        echo "  j fail"
        echo "1:"
      else
        echo "  $name t0, t1, fail_near"
      fi
      n=$((n+1))
    done
    echo "  /* backward branch taken twice, then not taken: s1 ends at 3 */"
    echo "  li s1, 0"
    echo "  li t0, 3"
    echo "2:"
    echo "  addi s1, s1, 1"
    case $name in
      beq)  echo "  sltu t2, s1, t0"; echo "  li t1, 1"; echo "  beq t2, t1, 2b";;
      bne)  echo "  bne s1, t0, 2b";;
      blt)  echo "  blt s1, t0, 2b";;
      bge)  echo "  li t1, 2"; echo "  bge t1, s1, 2b";;
      bltu) echo "  bltu s1, t0, 2b";;
      bgeu) echo "  li t1, 2"; echo "  bgeu t1, s1, 2b";;
    esac
    echo "  FAIL_IF_NE(s1, 3, $n)"
    echo "  ret"
    echo "fail_near:"
    echo "  j fail"
  } > $name.S
}
gen_branch beq 0 0 1  1 2 0  0x80000000 0x80000000 1  -1 1 0  -1 -1 1
gen_branch bne 0 0 0  1 2 1  0x80000000 0x80000000 0  -1 1 1  0x7fffffff 0x80000000 1
gen_branch blt 0 0 0  1 2 1  2 1 0  -1 0 1  0 -1 0  0x80000000 0x7fffffff 1  0x7fffffff 0x80000000 0  -1 -1 0
gen_branch bge 0 0 1  1 2 0  2 1 1  -1 0 0  0 -1 1  0x80000000 0x7fffffff 0  0x7fffffff 0x80000000 1  -1 -1 1
gen_branch bltu 0 0 0  1 2 1  2 1 0  -1 0 0  0 -1 1  0x80000000 0x7fffffff 0  0x7fffffff 0x80000000 1  -1 -1 0
gen_branch bgeu 0 0 1  1 2 0  2 1 1  -1 0 1  0 -1 0  0x80000000 0x7fffffff 1  0x7fffffff 0x80000000 0  -1 -1 1
