from django.db import migrations


def install(apps, schema_editor):
    from supportdesk.automation.defaults import install_defaults

    install_defaults(
        trigger_model=apps.get_model("automation", "Trigger"),
        time_rule_model=apps.get_model("automation", "TimeRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("automation", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
