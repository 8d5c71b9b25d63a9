# Mutation check of the verifier (docs/AUDIT.md): removes one check at a
# time in a SANDBOX copy of the tree, rebuilds the verifier-side tests, runs
# them and lists the failing test cases, then restores the file.
#
# Never point it at the shared working tree. Set up a sandbox first:
#   mkdir -p /tmp/audit-src && git archive HEAD | tar -x -C /tmp/audit-src
#   cmake -S /tmp/audit-src -B /tmp/audit-src/build -G Ninja \
#         -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER=
# then: python3 tests/audit/mutation_check.py [index ...]
# (AUDIT_SANDBOX overrides the sandbox path). Patterns match the tree at
# commit acc27b9 (the grinding ones: the commit that added challenge grinding; the zk mask ones: proof format 5; the LogUp sum mask ones: proof format 6); a pattern that no longer matches is reported, not skipped
# silently.
import subprocess, sys, json, os
SRC = os.environ.get("AUDIT_SANDBOX", "/tmp/audit-src")
M = [
 ("V1 check_shape", [("prover/stark/verifier.cpp", "  check_shape(vk, proof);  // V1", "  // MUT check_shape")]),
 ("V3 constraints at zeta == Z_H * Q", [("prover/stark/verifier.cpp", "if (b.acc != zh * q) throw", "if (false) throw")]),
 ("V4 bus sum zero", [("prover/stark/verifier.cpp", "if (!total_sum.is_zero()) throw", "if (false) throw")]),
 ("V4b public boundary terms added", [("prover/stark/verifier.cpp", "total_sum += d.inverse() * (pi.send ? pi.mult : -pi.mult);", "(void)d;")]),
 ("V1b verifier preprocessed height check", [("prover/stark/verifier.cpp", "if (vk.pre_log_heights[t] != 0 && p.log_heights[t] != vk.pre_log_heights[t])", "if (false)")]),
 ("V1c parser preprocessed height check", [("prover/stark/proof.cpp", "if (vk.pre_log_heights[t] != 0 && h != vk.pre_log_heights[t])", "if (false)")]),
 ("V1d verifier log height range", [("prover/stark/verifier.cpp", "if (p.log_heights[t] < 1 || p.log_heights[t] > vk.config.max_log_height()) throw", "if (false) throw")]),
 ("FS vk observed", [("prover/stark/verifier.cpp", '  ch.observe_bytes("vk", vkb);', "  (void)vkb;")]),
 ("FS log heights observed", [("prover/stark/verifier.cpp", 'for (unsigned h : log_heights) ch.observe_u64("log height", h);', "(void)log_heights;")]),
 ("FS public values observed", [("prover/stark/verifier.cpp", 'for (const auto& p : publics) ch.observe_fps("public values", p);', "(void)publics;")]),
 ("FS LogUp sums observed (prover+verifier)", [("prover/stark/verifier.cpp", 'ch.observe_fp4s("logup sums", proof.cumsums);', ""), ("prover/stark/prover.cpp", 'ch.observe_fp4s("logup sums", proof.cumsums);', "")]),
 ("FS PCS opened values observed (prover+verifier)", [("prover/pcs/pcs_verifier.cpp", 'for (const auto& v : rc.values[i]) ch.observe_fp4s("pcs/opened values", v);', "(void)i;"), ("prover/pcs/pcs_prover.cpp", 'ch.observe_fp4s("pcs/opened values", out.values[r][i][p]);', "{}")]),
 ("PCS Merkle openings of committed rows", [("prover/pcs/pcs_verifier.cpp", '  if (!st) reject(where + ": " + st.error);', "  (void)st;")]),
 ("FRI PoW check", [("prover/fri/fri_verifier.cpp", "if (!ch.check_pow(params.pow_bits, proof.pow_nonce))", "if (!ch.check_pow(0, proof.pow_nonce))")]),
 ("FRI fold consistency", [("prover/fri/fri_verifier.cpp", "if (coset[pos & ((uint64_t{1} << k) - 1)] != value)", "if (false)")]),
 ("FRI final polynomial evaluation", [("prover/fri/fri_verifier.cpp", "if (eval_poly(proof.final_poly, x) != value)", "if (false)")]),
 ("FRI final polynomial length", [("prover/fri/fri_verifier.cpp", "if (proof.final_poly.size() != final_len)", "if (false)")]),
 ("FRI layer Merkle openings", [("prover/fri/fri_verifier.cpp", "    if (!st) reject(where + st.error);", "    (void)st;")]),
 ("Merkle root comparison", [("prover/merkle/merkle_verify.cpp", "if (known.size() != 1 || known[0].second != root)", "if (known.size() != 1)")]),
 ("Merkle unused siblings", [("prover/merkle/merkle_verify.cpp", "if (next != proof.siblings.size())", "if (false)")]),
 ("Merkle repeated index same leaf", [("prover/merkle/merkle_verify.cpp", "if (rows[k0] != rows[k] || (salted && salts[k0] != salts[k]))", "if (false)")]),
 ("Parser canonical Fp", [("prover/transcript/serialize.cpp", """  if (!field::Fp::from_bytes(data_.data() + pos_, &v))
    fail("non-canonical field element at offset " + std::to_string(pos_));""", """  {uint32_t c = 0; for (int i = 0; i < 4; ++i) c |= static_cast<uint32_t>(data_[pos_ + i]) << (8 * i); v = field::Fp::from_u64(c);}""")]),
 ("Parser no trailing bytes (proof)", [("prover/stark/proof.cpp", "  r.expect_end();\n  return p;", "  return p;")]),
 ("C API security floor", [("prover/verify/c_api.cpp", "if (parsed.config.conjectured_bits() < kMinSecurityBits)", "if (false)")]),
 ("C API publics comparison", [("prover/verify/c_api.cpp", "if (p.publics[t][i].canonical() != publics[k])", "if (false)")]),
 ("FS quotient commitment observed (prover+verifier)", [("prover/stark/verifier.cpp", '  pcs::observe_commitment(ch, "quotient", proof.quotient);', ""), ("prover/stark/prover.cpp", '  pcs::observe_commitment(ch, "quotient", proof.quotient);', "")]),
 ("FS main commitment observed (prover+verifier)", [("prover/stark/verifier.cpp", '  pcs::observe_commitment(ch, "main", proof.main);', ""), ("prover/stark/prover.cpp", '  pcs::observe_commitment(ch, "main", proof.main);', "")]),
 ("FRI layer roots observed before betas (prover+verifier)", [("prover/fri/fri_verifier.cpp", '    ch.observe_digest(layer + "/root", proof.layer_roots[l].bytes);', ""), ("prover/fri/fri_prover.cpp", 'ch.observe_digest(', "(void)(")]),
 ("Parser canonical Fp4", [("prover/transcript/serialize.cpp", """  if (!field::Fp4::from_bytes(data_.data() + pos_, &v))
    fail("non-canonical extension field element at offset " + std::to_string(pos_));""", """  for (int j = 0; j < 4; ++j) {uint32_t c = 0; for (int i = 0; i < 4; ++i) c |= static_cast<uint32_t>(data_[pos_ + 4 * j + i]) << (8 * i); v.c[j] = field::Fp::from_u64(c);}""")]),
 ("FRI layer roots observed before betas (verifier only)", [("prover/fri/fri_verifier.cpp", '    ch.observe_digest(layer + "/root", proof.layer_roots[l].bytes);', "")]),
 ("PoW nonce absorbed before query indices", [("prover/transcript/challenger.cpp", '  observe_u64("pow nonce", nonce);\n  return nonce;', "  return nonce;"), ("prover/transcript/challenger.cpp", '  observe_u64("pow nonce", nonce);\n  return true;', "  return true;")]),
 ("Query indices sampled after the PoW (prover+verifier reordered)", [
   ("prover/fri/fri_prover.cpp", """  proof.pow_nonce = ch.grind(params.pow_bits);

  const unsigned log_max = heights[0];
  out.query_indices.resize(params.num_queries);
  for (auto& idx : out.query_indices) idx = ch.sample_index("fri/query index", log_max);
""", """  const unsigned log_max = heights[0];
  out.query_indices.resize(params.num_queries);
  for (auto& idx : out.query_indices) idx = ch.sample_index("fri/query index", log_max);
  proof.pow_nonce = ch.grind(params.pow_bits);
"""),
   ("prover/fri/fri_verifier.cpp", """  if (!ch.check_pow(params.pow_bits, proof.pow_nonce))
    reject("proof-of-work nonce " + to_string(proof.pow_nonce) + " does not have " +
           to_string(params.pow_bits) + " leading zero bits");

  const unsigned log_max = input_log_heights[0];
  std::vector<uint64_t> indices(params.num_queries);
  for (auto& idx : indices) idx = ch.sample_index("fri/query index", log_max);
""", """  const unsigned log_max = input_log_heights[0];
  std::vector<uint64_t> indices(params.num_queries);
  for (auto& idx : indices) idx = ch.sample_index("fri/query index", log_max);
  if (!ch.check_pow(params.pow_bits, proof.pow_nonce))
    reject("proof-of-work nonce " + to_string(proof.pow_nonce) + " does not have " +
           to_string(params.pow_bits) + " leading zero bits");
""")]),
 ("Grinding: LogUp, constraint alpha and zeta nonces (check_grind)", [("prover/stark/verifier.cpp", "if (!ch.check_pow(bits, nonce))", "if (!ch.check_pow(0, nonce))")]),
 ("Grinding: LogUp nonce only (check_grind skipped)", [("prover/stark/verifier.cpp", '    check_grind(ch, bits, *nonce, "LogUp");', '    (void)ch.check_pow(0, *nonce);')]),
 ("Grinding: PCS batch nonce", [("prover/pcs/pcs_verifier.cpp", "if (!ch.check_pow(config.fri.challenge_pow_bits, proof.batch_nonce))", "if (!ch.check_pow(0, proof.batch_nonce))")]),
 ("Grinding: FRI layer nonces", [("prover/fri/fri_verifier.cpp", "if (!ch.check_pow(params.challenge_pow_bits, proof.layer_nonces[l]))", "if (!ch.check_pow(0, proof.layer_nonces[l]))")]),
 ("Segments: one LogUp grinding nonce", [("prover/stark/verifier.cpp", "if (proofs[k].logup_nonce != proofs[0].logup_nonce)", "if (false)")]),
 ("zk mask: exactly one with zk, none without", [("prover/pcs/pcs_verifier.cpp", "  if (n_mask != (config.zk ? 1u : 0u))", "  if (false)")]),
 ("zk mask: 4 columns of the largest trace height", [("prover/pcs/pcs_common.cpp", "  if (md.width == kMaskWidth && md.log_height == want) return \"\";", "  return \"\";")]),
 ("zk mask: in a salted round", [("prover/pcs/pcs_verifier.cpp", '    if (rc.unsalted) reject("the mask is in an unsalted round");', "")]),
 ("zk mask: no opening points", [("prover/pcs/pcs_verifier.cpp", '        if (!rc.points[i].empty() || !rc.values[i].empty()) reject(where + ": the mask has opening points");', "")]),
 ("zk mask: added to the batch (verifier)", [("prover/pcs/pcs_verifier.cpp", "            out[q][h] += Fp4::from_base(vals[off], vals[off + 1], vals[off + 2], vals[off + 3]);", "")]),
 ("LogUp sum mask: read from the first random row (verifier)", [("prover/stark/verifier.cpp", "    set_logup_mask(b, vk, t);", "    set_logup_mask(b, vk, t);\n    b.logup_mask_row = false;")]),
 ("LogUp sum mask: one more random row for it", [("prover/stark/proof.cpp", "  return vk.shapes.at(t).num_interactions != 0 && free > m ? m + 1 : m;", "  return m;")]),
 ("Receipt: the CPU overflow table present exactly when split", [("prover/rv32im/receipt.cpp", "    if ((proofs.back().log_heights[kTableCpuX] != 0) != split)", "    if (false)")]),
 ("Receipt: no split pc on an unsplit segment", [("prover/rv32im/receipt.cpp", "    if (cpu_main_rows(e.cycles) == e.cycles && e.split_pc != 0)", "    if (false)")]),
]
TARGETS = ["test_audit", "test_stark", "test_zk_rows", "test_segments", "test_prover_fri", "test_prover_pcs", "test_prover_transcript", "test_rv32im_segments"]
sel = sys.argv[1:] 
results = {}
for i, (name, edits) in enumerate(M):
    if sel and str(i) not in sel: continue
    saved = {}
    ok = True
    for f, old, new in edits:
        p = os.path.join(SRC, f)
        s = saved.get(f) or open(p).read()
        saved.setdefault(f, s)
        cur = open(p).read()
        if cur.count(old) != 1:
            print(f"[{i}] {name}: pattern not found once in {f}", flush=True); ok = False; break
        open(p, "w").write(cur.replace(old, new))
    try:
        if not ok: continue
        b = subprocess.run(["nice", "ninja", "-C", f"{SRC}/build", "-j2"] + TARGETS, capture_output=True, text=True)
        if b.returncode != 0:
            print(f"[{i}] {name}: BUILD FAILED\n" + b.stdout[-2000:], flush=True); continue
        failed = []
        for t in TARGETS:
            exe = subprocess.run(f"find {SRC}/build/tests -name {t} -type f", shell=True, capture_output=True, text=True).stdout.split()[0]
            r = subprocess.run([exe, "-r", "junit"], capture_output=True, text=True, env=dict(os.environ, OMP_WAIT_POLICY="passive"), timeout=600)
            try:
                import xml.etree.ElementTree as ET
                root = ET.fromstring(r.stdout)
                for tc in root.iter("testcase"):
                    if tc.find("failure") is not None or tc.find("error") is not None:
                        n = tc.get("name")
                        if n not in [x.split(": ", 1)[1] for x in failed if x.startswith(t + ": ")]:
                            failed.append(t + ": " + n)
            except Exception as e:
                failed.append(f"{t}: exit {r.returncode} (unparsed: {e}) " + (r.stdout + r.stderr)[-300:])
        results[name] = failed
        print(f"[{i}] {name}: {len(failed)} failing assertion lines", flush=True)
        for x in failed[:40]: print("    " + x, flush=True)
    finally:
        for f, s in saved.items(): open(os.path.join(SRC, f), "w").write(s)
json.dump(results, open(f"{SRC}/mutation-results-{'-'.join(sel) or 'all'}.json", "w"), indent=1)
