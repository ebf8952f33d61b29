"""`pos-plugin catalogue sync | map | mappings | show`: the insurance catalogue in the terminal's store (README)."""

from __future__ import annotations

from pathlib import Path

import click

from pos_plugin.catalogue import fetch_reviews, load_mapping_file, sync_catalogue, upload_mappings
from pos_plugin.catalogue.book import CHK_STAS, ItemMapping
from pos_plugin.cli.counter import terminal_options
from pos_plugin.config import Terminal
from pos_plugin.errors import InputError


@click.group("catalogue")
def catalogue() -> None:
    """医保目录：增量下载（1312）、本店商品目录对照上传（3301）、查看。"""


@catalogue.command("sync")
@click.option("--page-size", default=500, show_default=True, type=click.IntRange(1, 1000))
@terminal_options
def sync(terminal: Terminal, page_size: int) -> None:
    """下载上次同步以来变化的目录项（首次为全部）。"""
    result = sync_catalogue(terminal.client, terminal.catalogue, page_size)
    by_file = f"（首次按目录文件下载 {result.files} 个）" if result.files else ""
    click.echo(f"医保目录同步完成：本次下载 {result.fetched} 条{by_file}，本机共 {result.total} 条，版本 {result.version}")


@catalogue.command("map")
@click.argument("mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@terminal_options
def map_items(terminal: Terminal, mapping_file: Path) -> None:
    """上传本店商品编码与医保编码的对照（3301），平台接受后存入本机。"""
    mappings = load_mapping_file(mapping_file)
    count = upload_mappings(terminal.client, terminal.catalogue, mappings,
                            begndate=terminal.client.clock().date().isoformat())
    states = {m.chk_stas for m in terminal.catalogue.mappings(m.item for m in mappings).values()}
    click.echo(f"目录对照已上传：{count} 条（{'、'.join(CHK_STAS[s] for s in sorted(states))}）")


@catalogue.command("mappings")
@terminal_options
def mapping_states(terminal: Terminal) -> None:
    """向平台查询本机构的目录对照及审核状态（1317），存入本机并逐条显示。"""
    reviews = fetch_reviews(terminal.client, terminal.catalogue)
    for row in terminal.catalogue.mappings().values():
        click.echo(_mapping_text(row))
    theirs = {r.item for r in reviews} - set(terminal.catalogue.mappings())
    if theirs:
        click.echo(f"平台上另有 {len(theirs)} 条本机构的目录对照不在本机（其他终端上传）：{', '.join(sorted(theirs))}")
    click.echo(f"共 {len(reviews)} 条目录对照（平台），本机 {len(terminal.catalogue.mappings())} 条")


def _mapping_text(row: ItemMapping) -> str:
    memo = f"（{row.chk_memo}）" if row.chk_memo else ""
    return f"{row.item} → {row.med_list_codg} {row.name} {CHK_STAS[row.chk_stas]}{memo}"


@catalogue.command("show")
@click.argument("code")
@terminal_options
def show(terminal: Terminal, code: str) -> None:
    """显示一个医保编码（或本店商品编码）在本机目录中的内容。"""
    mapped = terminal.catalogue.mappings([code]).get(code)
    insurance_code = mapped.med_list_codg if mapped else code
    entry = terminal.catalogue.entries([insurance_code]).get(insurance_code)
    if entry is None:
        raise InputError(f"本机目录中没有 {code}（先 pos-plugin catalogue sync）")
    cap = f" 限价 {entry.price_cap}" if entry.price_cap is not None else ""
    note = f" {entry.lmt_note}" if entry.lmt_note else ""
    traced = " 须扫追溯码" if entry.traced else ""
    if mapped:
        click.echo(f"目录对照 {_mapping_text(mapped)}")
    click.echo(f"{entry.code} {entry.name} {entry.cls}类 自付比例 {entry.selfpay_prop}{cap} "
               f"有效 {entry.begndate}~{entry.enddate or '长期'}{traced}{note}")
