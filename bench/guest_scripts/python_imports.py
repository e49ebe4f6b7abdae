# python3 starting and importing a dozen standard modules, using each a little (bench/translation.py).
import argparse
import asyncio
import collections
import csv
import datetime
import decimal
import email.message
import http.client
import io
import json
import re
import sqlite3
import unittest
import xml.etree.ElementTree as ET

parts = []
parts.append(json.dumps({"a": [1, 2, 3], "b": {"c": None}}, sort_keys=True))
parts.append(",".join(re.findall(r"\d+", "a1b22c333")))
decimal.getcontext().prec = 30
parts.append(str(decimal.Decimal(1) / decimal.Decimal(7)))
parts.append(str(asyncio.run(asyncio.sleep(0, result=7))))
m = email.message.EmailMessage()
m["Subject"] = "bench"
m.set_content("body")
parts.append(m["Subject"] + str(len(m.as_string())))
parts.append(http.client.responses[404])
parts.append(ET.tostring(ET.fromstring("<r><x n='1'/><x n='2'/></r>")).decode())
db = sqlite3.connect(":memory:")
db.execute("create table t (k integer, v text)")
db.executemany("insert into t values (?, ?)", [(i, str(i * i)) for i in range(100)])
parts.append(str(db.execute("select sum(k), max(v) from t").fetchone()))
parts.append(str(unittest.TestCase("__init__").assertEqual(1, 1)))
parts.append(str(argparse.ArgumentParser(prog="b", add_help=False).parse_known_args(["x"])[1]))
parts.append(str(collections.Counter("abracadabra").most_common(2)))
buf = io.StringIO()
csv.writer(buf).writerow(["a", 1, datetime.date(2024, 2, 29).isoformat()])
parts.append(buf.getvalue().strip())
print("\n".join(parts))
