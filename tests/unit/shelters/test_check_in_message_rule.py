from app.shelters.rules import check_in_message


def test_check_in_message_names_everyone_and_counts_them():
    assert check_in_message(["桜 太郎", "桜 花子"], "桜ヶ丘小学校") == \
        "桜 太郎さん、桜 花子さん（2人）を「桜ヶ丘小学校」で受け付けました。"
    assert check_in_message(["桜 一郎"], "公民館") == "桜 一郎さん（1人）を「公民館」で受け付けました。"
